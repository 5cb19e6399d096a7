/** The event search page's query building and time ranges. */
import { PERIODS } from "./time";

/** The fields whose top values the search page shows (terms aggregations, top 20 each). */
export const FACET_FIELDS = ["category", "hostname", "details.sourceipaddress", "tags", "source", "details.program"] as const;

/** The time ranges offered (MozDef's periods without "All"). */
export const SEARCH_PERIODS: { label: string; minutes: number }[] = PERIODS.flatMap((p) =>
  p.minutes === null ? [] : [{ label: p.label, minutes: p.minutes }],
);

export const DEFAULT_MINUTES = 1440;
/** The API's bound on `minutes`. */
export const MAX_MINUTES = 5_270_400;

/** `minutes` from the URL: a whole number in the API's bounds, else the default. */
export function parseMinutes(text: string | null): number {
  if (!text || !/^\d+$/.test(text)) return DEFAULT_MINUTES;
  const minutes = Number(text);
  return minutes >= 1 && minutes <= MAX_MINUTES ? minutes : DEFAULT_MINUTES;
}

/** "1 day" for a period of the select, else "90 minutes", "3 hours", "10 days". */
export function rangeLabel(minutes: number): string {
  const known = SEARCH_PERIODS.find((p) => p.minutes === minutes);
  if (known) return known.label;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes % 1440 === 0) return plural(minutes / 1440, "day");
  if (minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

/** The next longer period of the select, if any. */
export function widerPeriod(minutes: number): { label: string; minutes: number } | null {
  return SEARCH_PERIODS.find((p) => p.minutes > minutes) ?? null;
}

/** `field:"value"`, the value's quotes and backslashes escaped. */
export function fieldClause(field: string, value: string): string {
  return `${field}:"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Whether the query has an OR (or `||`) outside quoted phrases: it then needs parentheses. */
function hasOr(query: string): boolean {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"?/g, '""');
  return /(^|[\s)])(OR|\|\|)([\s(]|$)/.test(unquoted);
}

/** `query AND clause` (the query in parentheses when it has an OR); the clause alone for an empty query. */
export function addClause(query: string, clause: string): string {
  const trimmed = query.trim();
  if (trimmed === "" || trimmed === "*") return clause;
  if (trimmed === clause || trimmed.endsWith(` AND ${clause}`) || trimmed.startsWith(`${clause} AND `)) return trimmed;
  return hasOr(trimmed) ? `(${trimmed}) AND ${clause}` : `${trimmed} AND ${clause}`;
}

/** A field of an event as text (objects as JSON), for the results table. */
export function fieldText(source: Record<string, unknown>, path: string): string {
  let value: unknown = source;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return "";
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
