/**
 * The volume-over-time chart's buckets and labels: each bucket's time range, axis ticks, and
 * times written in the user's zone at the precision the chart's span needs.
 */
import type { Histogram } from "./facets";
import { zonedParts } from "./time";

export interface Bucket {
  index: number;
  /** RFC 3339 UTC. */
  start: string;
  end: string;
  count: number;
}

/** The histogram's buckets; the last ends at `end` (or one interval after its start). */
export function histogramBuckets(h: Histogram): Bucket[] {
  const start = new Date(h.start).getTime();
  const end = new Date(h.end).getTime();
  if (Number.isNaN(start) || h.counts.length === 0) return [];
  let step = h.intervalSeconds * 1000;
  if (!(step > 0)) step = Number.isNaN(end) || end <= start ? 0 : (end - start) / h.counts.length;
  if (!(step > 0)) return [];
  return h.counts.map((count, index) => {
    const from = start + index * step;
    const to = index === h.counts.length - 1 && !Number.isNaN(end) && end > from ? end : from + step;
    return { index, start: new Date(from).toISOString(), end: new Date(to).toISOString(), count };
  });
}

/** Up to `max` evenly spaced bucket indexes for axis labels, the first always among them. */
export function tickIndexes(count: number, max = 6): number[] {
  if (count <= 0) return [];
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const step = Math.ceil(count / max);
  const ticks: number[] = [];
  for (let i = 0; i < count; i += step) ticks.push(i);
  return ticks;
}

/** A round upper bound for the y axis: 1, 2, 5 × 10ⁿ at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) {
    if (m * magnitude >= max) return m * magnitude;
  }
  return 10 * magnitude;
}

type Parts = Record<"year" | "month" | "day" | "hour" | "minute" | "timeZoneName", string>;

function parts(value: string, zone: string): Parts | null {
  const out = zonedParts(value, zone);
  if (!out) return null;
  return {
    year: out.year ?? "",
    month: out.month ?? "",
    day: out.day ?? "",
    hour: out.hour ?? "",
    minute: out.minute ?? "",
    timeZoneName: out.timeZoneName ?? "",
  };
}

/**
 * An axis label for a bucket starting at `value`, in `zone`: the time of day when the chart
 * spans at most a day and a half, the date and time up to ten days, the date beyond.
 */
export function tickLabel(value: string, zone: string, spanSeconds: number): string {
  const p = parts(value, zone);
  if (!p) return "";
  if (spanSeconds <= 36 * 3600) return `${p.hour}:${p.minute}`;
  if (spanSeconds <= 10 * 86400) return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return `${p.year}-${p.month}-${p.day}`;
}

/** A bucket's range in full, in `zone`: `2026-12-07 06:00 – 06:30 UTC` (the date twice when it changes). */
export function rangeLabel(start: string, end: string, zone: string): string {
  const a = parts(start, zone);
  const b = parts(end, zone);
  if (!a || !b) return `${start} – ${end}`;
  const day = (p: Parts) => `${p.year}-${p.month}-${p.day}`;
  const time = (p: Parts) => `${p.hour}:${p.minute}`;
  const to = day(a) === day(b) ? time(b) : `${day(b)} ${time(b)}`;
  return `${day(a)} ${time(a)} – ${to} ${b.timeZoneName}`.trim();
}

/** Whether a bucket overlaps the window [since, until] (either end open when empty). */
export function inWindow(bucket: Bucket, since: string, until: string): boolean {
  const start = new Date(bucket.start).getTime();
  const end = new Date(bucket.end).getTime();
  if (since && end <= new Date(since).getTime()) return false;
  if (until && start >= new Date(until).getTime()) return false;
  return true;
}
