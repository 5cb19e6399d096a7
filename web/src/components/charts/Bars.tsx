/**
 * The volume-over-time bar chart: one bar per bucket of the histogram, axis labels in the
 * user's zone. Clicking a bar (or Enter/Space on it) chooses its time window. The bars are one
 * tab stop: arrow keys, Home and End move between them (each is a button named by its count and
 * range, pressed when it is inside the chosen window).
 */
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { alertCount, type Histogram } from "../../lib/facets";
import { histogramBuckets, inWindow, niceMax, rangeLabel, tickIndexes, tickLabel, type Bucket } from "../../lib/histogram";
import "./charts.css";

const WIDTH = 640;
const HEIGHT = 150;
const LEFT = 34;
const RIGHT = 6;
const TOP = 8;
const BOTTOM = 22;

export interface BarsProps {
  title: string;
  histogram: Histogram;
  zone: string;
  /** The chosen window ("" when none). */
  since: string;
  until: string;
  onSelect: (bucket: Bucket) => void;
}

export function Bars({ title, histogram, zone, since, until, onSelect }: BarsProps) {
  const buckets = useMemo(() => histogramBuckets(histogram), [histogram]);
  const [focusIndex, setFocusIndex] = useState(0);
  const refs = useRef<(SVGGElement | null)[]>([]);
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.count)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = buckets.length > 0 ? plotWidth / buckets.length : plotWidth;
  const gap = slot > 6 ? Math.min(2, slot * 0.15) : 0;
  const spanSeconds =
    buckets.length > 0 ? (new Date(buckets[buckets.length - 1]!.end).getTime() - new Date(buckets[0]!.start).getTime()) / 1000 : 0;
  const ticks = tickIndexes(buckets.length, 6);
  const windowed = since !== "" || until !== "";
  const current = Math.min(focusIndex, Math.max(0, buckets.length - 1));

  const move = (event: KeyboardEvent, index: number) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      const bucket = buckets[index];
      if (bucket) onSelect(bucket);
      return;
    }
    const targets: Record<string, number> = {
      ArrowRight: Math.min(buckets.length - 1, index + 1),
      ArrowUp: Math.min(buckets.length - 1, index + 1),
      ArrowLeft: Math.max(0, index - 1),
      ArrowDown: Math.max(0, index - 1),
      Home: 0,
      End: buckets.length - 1,
    };
    const next = targets[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setFocusIndex(next);
    refs.current[next]?.focus();
  };

  return (
    <figure className="chart bars-chart">
      <figcaption>{title}</figcaption>
      {buckets.length === 0 ? (
        <p className="muted chart-none">No time range to draw.</p>
      ) : (
        <svg
          className="bars-svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="group"
          aria-label={`${title}: ${buckets.length} bars; choose one to show its time`}
        >
          <g aria-hidden="true" className="bars-axis">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={TOP} y2={TOP} className="bars-grid" />
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + plotHeight / 2} y2={TOP + plotHeight / 2} className="bars-grid" />
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + plotHeight} y2={TOP + plotHeight} className="bars-baseline" />
            <text x={LEFT - 4} y={TOP} textAnchor="end" dominantBaseline="central">
              {max.toLocaleString("en-US")}
            </text>
            {max % 2 === 0 && (
              <text x={LEFT - 4} y={TOP + plotHeight / 2} textAnchor="end" dominantBaseline="central">
                {(max / 2).toLocaleString("en-US")}
              </text>
            )}
            <text x={LEFT - 4} y={TOP + plotHeight} textAnchor="end" dominantBaseline="central">
              0
            </text>
            {ticks.map((i) => {
              const bucket = buckets[i]!;
              return (
                <text key={i} x={LEFT + i * slot} y={HEIGHT - 6} textAnchor={i === 0 ? "start" : "middle"}>
                  {tickLabel(bucket.start, zone, spanSeconds)}
                </text>
              );
            })}
          </g>
          {buckets.map((bucket, i) => {
            const height = bucket.count > 0 ? Math.max(1.5, (bucket.count / max) * plotHeight) : 0;
            const x = LEFT + i * slot;
            const selected = windowed && inWindow(bucket, since, until);
            const label = `${alertCount(bucket.count)}, ${rangeLabel(bucket.start, bucket.end, zone)}`;
            return (
              <g
                key={bucket.start}
                ref={(el) => {
                  refs.current[i] = el;
                }}
                role="button"
                tabIndex={i === current ? 0 : -1}
                aria-label={label}
                aria-pressed={selected}
                className={`bar${selected ? " is-active" : windowed ? " is-dimmed" : ""}`}
                onClick={() => {
                  setFocusIndex(i);
                  onSelect(bucket);
                }}
                onFocus={() => setFocusIndex(i)}
                onKeyDown={(event) => move(event, i)}
              >
                <title>{label}</title>
                <rect className="bar-hit" x={x} y={TOP} width={slot} height={plotHeight} />
                {height > 0 && (
                  <rect className="bar-fill" x={x + gap / 2} y={TOP + plotHeight - height} width={Math.max(0.5, slot - gap)} height={height} />
                )}
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
