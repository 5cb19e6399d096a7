/**
 * The alerts page's view state, kept in the URL: the filters (period, category, severity,
 * status, search text, a time window chosen on the volume chart) and the stack of keyset
 * cursors of the pages walked through. Pure functions over URLSearchParams.
 */
import { PERIODS } from "./time";

export const DEFAULT_MINUTES = 1440;
const MAX_MINUTES = 5_270_400;

/** MozDef's severities, most severe first. */
export const SEVERITIES = ["CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO"] as const;

/** The status filter's choices: `new` means no status set (the API's `status=`). */
export const STATUS_FILTERS: { value: string; label: string }[] = [
  { value: "", label: "Any" },
  { value: "new", label: "New (not set)" },
  { value: "manual", label: "Manual" },
  { value: "inProgress", label: "In progress" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "escalated", label: "Escalated" },
];

const STATUS_LABELS: Record<string, string> = {
  new: "New",
  manual: "Manual",
  inProgress: "In progress",
  acknowledged: "Acknowledged",
  escalated: "Escalated",
};

/** How a status reads (null or empty: New). */
export function statusLabel(status: string | null | undefined): string {
  if (!status) return "New";
  return STATUS_LABELS[status] ?? status;
}

export interface AlertFilters {
  /** The period back from now; null: all time. */
  minutes: number | null;
  category: string;
  severity: string;
  /** "" any, "new" not set, else the status. */
  status: string;
  q: string;
  /** A window chosen on the volume chart (RFC 3339), "" when none. */
  since: string;
  until: string;
}

/** The filters the URL holds (defaults: the last day, everything). */
export function readFilters(params: URLSearchParams): AlertFilters {
  const raw = params.get("minutes");
  let minutes: number | null = DEFAULT_MINUTES;
  if (raw === "all") minutes = null;
  else if (raw !== null && /^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n >= 1 && n <= MAX_MINUTES) minutes = n;
  }
  const status = params.get("status") ?? "";
  return {
    minutes,
    category: params.get("category") ?? "",
    severity: params.get("severity") ?? "",
    status: STATUS_FILTERS.some((s) => s.value === status) ? status : "",
    q: params.get("q") ?? "",
    since: validTime(params.get("since")),
    until: validTime(params.get("until")),
  };
}

function validTime(value: string | null): string {
  if (!value) return "";
  return Number.isNaN(new Date(value).getTime()) ? "" : value;
}

/** The period as words: "1 day", "All", or "90 minutes" for one not in the select. */
export function periodLabel(minutes: number | null): string {
  const known = PERIODS.find((p) => p.minutes === minutes);
  if (known) return known.label;
  return minutes === null ? "All" : `${minutes} minutes`;
}

/** The period select's value for `minutes`. */
export function periodValue(minutes: number | null): string {
  return minutes === null ? "all" : String(minutes);
}

/** Which filter a chart leaves out of its own counts (so its other slices stay clickable). */
export type FacetExclusion = "category" | "severity" | "time" | null;

/**
 * The API's query for `filters` (GET /api/alerts/triage and its facets), without one of them
 * when `exclude` says so. A chosen time window replaces the period (the API's `minutes` would
 * win over `since`).
 */
export function apiParams(filters: AlertFilters, exclude: FacetExclusion = null): URLSearchParams {
  const params = new URLSearchParams();
  const windowed = exclude !== "time" && (filters.since !== "" || filters.until !== "");
  if (windowed) {
    if (filters.since) params.set("since", filters.since);
    else if (filters.minutes !== null) params.set("minutes", String(filters.minutes));
    if (filters.until) params.set("until", filters.until);
  } else if (filters.minutes !== null) {
    params.set("minutes", String(filters.minutes));
  }
  if (filters.category && exclude !== "category") params.set("category", filters.category);
  if (filters.severity && exclude !== "severity") params.set("severity", filters.severity);
  if (filters.status) params.set("status", filters.status === "new" ? "" : filters.status);
  if (filters.q.trim()) params.set("q", filters.q.trim());
  return params;
}

/** The cursors of the pages walked through, oldest step last: the current page's is the last. */
export function readCursors(params: URLSearchParams): string[] {
  return params.getAll("cursor").filter((c) => c !== "");
}

function withCursors(params: URLSearchParams, cursors: string[]): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  for (const cursor of cursors) next.append("cursor", cursor);
  return next;
}

/** The next (older) page: `next` pushed on the stack. */
export function olderPage(params: URLSearchParams, next: string): URLSearchParams {
  return withCursors(params, [...readCursors(params), next]);
}

/** The previous (newer) page: the stack popped. */
export function newerPage(params: URLSearchParams): URLSearchParams {
  return withCursors(params, readCursors(params).slice(0, -1));
}

/** The first page of the same view. */
export function firstPage(params: URLSearchParams): URLSearchParams {
  return withCursors(params, []);
}

export type FilterKey = "minutes" | "category" | "severity" | "status" | "q";

/**
 * `params` with one filter set (or removed when `value` is empty): back to the first page; a
 * new period also drops the chosen time window.
 */
export function withFilter(params: URLSearchParams, key: FilterKey, value: string): URLSearchParams {
  const next = firstPage(params);
  if (key === "minutes") {
    next.delete("since");
    next.delete("until");
    if (value === String(DEFAULT_MINUTES)) next.delete("minutes");
    else next.set("minutes", value);
    return next;
  }
  if (value === "") next.delete(key);
  else next.set(key, value);
  return next;
}

/** `params` with the time window set (or cleared with nulls), back to the first page. */
export function withWindow(params: URLSearchParams, since: string | null, until: string | null): URLSearchParams {
  const next = firstPage(params);
  if (since) next.set("since", since);
  else next.delete("since");
  if (until) next.set("until", until);
  else next.delete("until");
  return next;
}

/** Whether any filter beyond the period is set. */
export function hasNarrowing(filters: AlertFilters): boolean {
  return Boolean(filters.category || filters.severity || filters.status || filters.q.trim() || filters.since || filters.until);
}

/** `params` without category, severity, status, search and time window (the period stays). */
export function clearNarrowing(params: URLSearchParams): URLSearchParams {
  const next = firstPage(params);
  for (const key of ["category", "severity", "status", "q", "since", "until"]) next.delete(key);
  return next;
}

/**
 * Whether a triage copy (a change's record) would be listed under `filters`: what the API does
 * (equality, `q` case-insensitively in summary, category and severity), as far as the record
 * tells. Used to count the alerts that arrived while a later page is shown.
 */
export function matchesFilters(record: Record<string, unknown>, filters: AlertFilters, now: Date = new Date()): boolean {
  const text = (key: string): string => (typeof record[key] === "string" ? (record[key] as string) : "");
  if (filters.category && text("category") !== filters.category) return false;
  if (filters.severity && text("severity") !== filters.severity) return false;
  if (filters.status) {
    const status = text("status");
    if (filters.status === "new" ? status !== "" : status !== filters.status) return false;
  }
  const needle = filters.q.trim().toLowerCase();
  if (needle && !["summary", "category", "severity"].some((k) => text(k).toLowerCase().includes(needle))) return false;
  const at = new Date(text("utctimestamp")).getTime();
  if (!Number.isNaN(at)) {
    if (filters.until && at > new Date(filters.until).getTime()) return false;
    if (filters.since && at < new Date(filters.since).getTime()) return false;
    if (!filters.since && filters.minutes !== null && at < now.getTime() - filters.minutes * 60_000) return false;
  }
  return true;
}

/** A short name for an alert in control labels: its summary cut at `max` characters, or its id. */
export function shortName(summary: string | null | undefined, id: string, max = 60): string {
  const text = (summary ?? "").replace(/\s+/g, " ").trim();
  if (!text) return id;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
