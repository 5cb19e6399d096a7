/**
 * A ring (donut) chart of one facet with its legend: MozDef's category and severity rings.
 * Clicking a slice or a legend button sets that filter, clicking the active one clears it.
 * The SVG is decoration for the mouse; the legend's buttons are the accessible equivalent
 * (each named "<Dimension> <key>: N alerts", pressed when it is the active filter).
 */
import { useMemo } from "react";
import { alertCount, groupSlices, ringArcs, type FacetCount, type SliceItem } from "../../lib/facets";
import "./charts.css";

const GEOMETRY = { cx: 60, cy: 60, radius: 56, inner: 34 };

export interface RingProps {
  /** The figure's caption ("Alerts by category"). */
  title: string;
  /** The filter's name in the buttons' names ("Category"). */
  dimension: string;
  counts: FacetCount[];
  /** The active filter value, or "" for none. */
  active: string;
  onToggle: (key: string) => void;
  /** A class for the slice of `key` (the n-th slice otherwise gets a palette colour). */
  colorClass?: (key: string | null, index: number) => string;
  /** How a key reads (default: itself). */
  label?: (key: string) => string;
  order?: (a: FacetCount, b: FacetCount) => number;
  max?: number;
}

function paletteClass(_key: string | null, index: number): string {
  return `chart-c${index % 8}`;
}

export function Ring({ title, dimension, counts, active, onToggle, colorClass = paletteClass, label, order, max = 6 }: RingProps) {
  const items = useMemo(() => {
    const grouped = groupSlices(counts, max, order);
    // The active filter stays in the legend (so it can be cleared) even without alerts.
    if (active && !grouped.some((i) => i.key === active)) {
      grouped.push({ key: active, label: active, count: 0, other: false });
    }
    return grouped.map((item, index) => ({ ...item, color: item.other ? "chart-other" : colorClass(item.key, index) }));
  }, [counts, max, order, active, colorClass]);
  const arcs = useMemo(() => ringArcs(items, GEOMETRY), [items]);
  const total = items.reduce((sum, i) => sum + i.count, 0);
  const shown = (item: SliceItem) => (item.key !== null && label ? label(item.key) : item.label);
  const state = (item: SliceItem) => (active === "" ? "" : item.key === active ? " is-active" : " is-dimmed");
  const itemKey = (item: SliceItem) => (item.other ? "\u0000other" : (item.key ?? "\u0000none"));

  return (
    <figure className="chart ring-chart">
      <figcaption>{title}</figcaption>
      <div className="ring-body">
        <svg className="ring-svg" viewBox="0 0 120 120" width="104" height="104" aria-hidden="true" focusable="false">
          {arcs.length === 0 && (
            <circle className="ring-empty" cx={GEOMETRY.cx} cy={GEOMETRY.cy} r={(GEOMETRY.radius + GEOMETRY.inner) / 2} />
          )}
          {arcs.map((arc) => {
            const clickable = !arc.other && arc.key !== null;
            return (
              <path
                key={itemKey(arc)}
                d={arc.path}
                className={`ring-slice ${arc.color}${state(arc)}${clickable ? " is-clickable" : ""}`}
                onClick={clickable ? () => onToggle(arc.key === active ? "" : (arc.key ?? "")) : undefined}
              >
                <title>{`${shown(arc)}: ${alertCount(arc.count)}`}</title>
              </path>
            );
          })}
          <text className="ring-total" x={GEOMETRY.cx} y={GEOMETRY.cy} textAnchor="middle" dominantBaseline="central">
            {total.toLocaleString("en-US")}
          </text>
        </svg>
        <ul className="chart-legend">
          {items.map((item) => {
            const name = `${dimension} ${shown(item)}: ${alertCount(item.count)}`;
            const swatch = <span className={`swatch ${item.color}`} aria-hidden="true" />;
            if (item.other || item.key === null) {
              return (
                <li key={itemKey(item)} className="legend-static">
                  {swatch}
                  <span className="legend-key">{shown(item)}</span>{" "}
                  <span className="legend-count">{item.count.toLocaleString("en-US")}</span>
                </li>
              );
            }
            const key = item.key;
            return (
              <li key={key}>
                <button
                  type="button"
                  className={`legend-button${state(item)}`}
                  aria-pressed={key === active}
                  aria-label={name}
                  title={key === active ? `${name} (click to clear)` : name}
                  onClick={() => onToggle(key === active ? "" : key)}
                >
                  {swatch}
                  <span className="legend-key">{shown(item)}</span>{" "}
                  <span className="legend-count">{item.count.toLocaleString("en-US")}</span>
                </button>
              </li>
            );
          })}
          {items.length === 0 && <li className="legend-static muted">No alerts</li>}
        </ul>
      </div>
    </figure>
  );
}
