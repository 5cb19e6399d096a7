/**
 * The alerts' facets (`GET /api/alerts/triage/facets`) and the geometry of the ring charts
 * drawn from them: slices grouped (the largest, then "other") and their SVG arc paths.
 */
import { SEVERITIES } from "./alertsView";

export interface FacetCount {
  key: string | null;
  count: number;
}

export interface Histogram {
  start: string;
  end: string;
  intervalSeconds: number;
  counts: number[];
}

export interface AlertFacets {
  total: number;
  scanned: number;
  truncated: boolean;
  category: FacetCount[];
  severity: FacetCount[];
  status: FacetCount[];
  histogram: Histogram | null;
}

/** The answer, checked field by field (a missing list is empty), so a partial one still draws. */
export function parseFacets(raw: unknown): AlertFacets {
  const o = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const counts = (value: unknown): FacetCount[] =>
    Array.isArray(value)
      ? value
          .filter((v): v is Record<string, unknown> => v !== null && typeof v === "object")
          .map((v) => ({
            key: typeof v.key === "string" ? v.key : v.key === null || v.key === undefined ? null : String(v.key),
            count: typeof v.count === "number" && Number.isFinite(v.count) && v.count > 0 ? v.count : 0,
          }))
      : [];
  const number = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  let histogram: Histogram | null = null;
  const h = o.histogram;
  if (h !== null && typeof h === "object") {
    const hist = h as Record<string, unknown>;
    if (typeof hist.start === "string" && typeof hist.end === "string" && Array.isArray(hist.counts)) {
      histogram = {
        start: hist.start,
        end: hist.end,
        intervalSeconds: number(hist.intervalSeconds),
        counts: hist.counts.map((c) => (typeof c === "number" && Number.isFinite(c) && c > 0 ? c : 0)),
      };
    }
  }
  return {
    total: number(o.total),
    scanned: number(o.scanned),
    truncated: o.truncated === true,
    category: counts(o.category),
    severity: counts(o.severity),
    status: counts(o.status),
    histogram,
  };
}

/** One slice of a ring: a key with its count, or the "other" keys together. */
export interface SliceItem {
  /** The filter value; null for "other" and for records without the field (not clickable). */
  key: string | null;
  label: string;
  count: number;
  other: boolean;
}

/** The facet as ring items: by count (then key), the largest `max - 1` and "other" beyond `max`. */
export function groupSlices(counts: FacetCount[], max = 8, order?: (a: FacetCount, b: FacetCount) => number): SliceItem[] {
  const merged = new Map<string | null, number>();
  for (const c of counts) {
    if (c.count <= 0) continue;
    const key = c.key === "" ? null : c.key;
    merged.set(key, (merged.get(key) ?? 0) + c.count);
  }
  const sorted = [...merged.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || String(a.key ?? "").localeCompare(String(b.key ?? "")));
  const keep = sorted.length > max ? sorted.slice(0, max - 1) : sorted;
  if (order) keep.sort(order);
  const items: SliceItem[] = keep.map((c) => ({ key: c.key, label: c.key ?? "(none)", count: c.count, other: false }));
  if (sorted.length > max) {
    const rest = sorted.slice(max - 1);
    items.push({
      key: null,
      label: `other (${rest.length})`,
      count: rest.reduce((sum, c) => sum + c.count, 0),
      other: true,
    });
  }
  return items;
}

/** Severities in MozDef's order (most severe first), unknown ones after by count. */
export function severityOrder(a: FacetCount, b: FacetCount): number {
  const rank = (k: string | null) => {
    const i = SEVERITIES.indexOf((k ?? "") as (typeof SEVERITIES)[number]);
    return i === -1 ? SEVERITIES.length : i;
  };
  return rank(a.key) - rank(b.key) || b.count - a.count;
}

/** The status facet's keys as the status filter has them: not set is `new`. */
export function statusFacetKey(key: string | null): string {
  return key === null || key === "" || key === "none" || key === "null" ? "new" : key;
}

export interface ArcGeometry {
  /** Radians, clockwise from twelve o'clock. */
  start: number;
  end: number;
  fraction: number;
  /** The SVG path of the donut segment. */
  path: string;
}

export interface RingGeometry {
  cx: number;
  cy: number;
  radius: number;
  inner: number;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function point(g: RingGeometry, r: number, angle: number): string {
  return `${round(g.cx + r * Math.sin(angle))} ${round(g.cy - r * Math.cos(angle))}`;
}

/** The SVG path of a donut segment from `start` to `end` (radians clockwise from the top). */
export function arcPath(g: RingGeometry, start: number, end: number): string {
  const sweep = end - start;
  if (sweep <= 0) return "";
  if (sweep >= 2 * Math.PI - 1e-9) {
    // A whole ring: two half circles outside, two inside (one arc cannot close on itself).
    const mid = start + Math.PI;
    return [
      `M ${point(g, g.radius, start)}`,
      `A ${g.radius} ${g.radius} 0 1 1 ${point(g, g.radius, mid)}`,
      `A ${g.radius} ${g.radius} 0 1 1 ${point(g, g.radius, start)}`,
      `M ${point(g, g.inner, start)}`,
      `A ${g.inner} ${g.inner} 0 1 0 ${point(g, g.inner, mid)}`,
      `A ${g.inner} ${g.inner} 0 1 0 ${point(g, g.inner, start)}`,
      "Z",
    ].join(" ");
  }
  const large = sweep > Math.PI ? 1 : 0;
  return [
    `M ${point(g, g.radius, start)}`,
    `A ${g.radius} ${g.radius} 0 ${large} 1 ${point(g, g.radius, end)}`,
    `L ${point(g, g.inner, end)}`,
    `A ${g.inner} ${g.inner} 0 ${large} 0 ${point(g, g.inner, start)}`,
    "Z",
  ].join(" ");
}

export type Arc<T extends SliceItem = SliceItem> = T & ArcGeometry;

/** The items as arcs around the ring, in order, each as wide as its share of the total. */
export function ringArcs<T extends SliceItem>(items: T[], g: RingGeometry): Arc<T>[] {
  const total = items.reduce((sum, i) => sum + Math.max(0, i.count), 0);
  if (total <= 0) return [];
  let at = 0;
  const arcs: Arc<T>[] = [];
  for (const item of items) {
    if (item.count <= 0) continue;
    const fraction = item.count / total;
    const start = at;
    const end = Math.min(2 * Math.PI, at + fraction * 2 * Math.PI);
    arcs.push({ ...item, start, end, fraction, path: arcPath(g, start, end) });
    at = end;
  }
  return arcs;
}

/** "1 alert", "12 alerts". */
export function alertCount(n: number): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "alert" : "alerts"}`;
}
