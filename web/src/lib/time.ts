/** Times in the user's zone, UTC on hover; durations as MozDef's time-period select has them. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-CA", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZoneName: "short",
      });
    } catch {
      f = formatter("UTC");
    }
    formatters.set(zone, f);
  }
  return f;
}

/** The parts (year, month, day, hour, minute, second, timeZoneName) of `value` in `zone` (UTC
 * for an unknown zone); null when `value` is not a time. */
export function zonedParts(value: string, zone: string): Record<string, string> | null {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  return Object.fromEntries(formatter(zone).formatToParts(date).map((p) => [p.type, p.value]));
}

// Formatting is the costly part of a big table's render (formatToParts): remember the last few
// thousand answers.
const formatted = new Map<string, string>();
const FORMATTED_MAX = 5000;

/** `2026-12-07 14:03:09 CET` in `zone` (an IANA name or UTC); the input as is when it is not a time. */
export function formatTime(value: string | null | undefined, zone: string): string {
  if (!value) return "";
  const key = `${zone} ${value}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const text = formatUncached(value, zone);
  if (formatted.size >= FORMATTED_MAX) formatted.clear();
  formatted.set(key, text);
  return text;
}

function formatUncached(value: string, zone: string): string {
  const parts = zonedParts(value, zone);
  if (!parts) return value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName ?? ""}`.trim();
}

/** The same instant in UTC, ISO 8601 (the hover text). */
export function utcTitle(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "")} UTC`;
}

/** Whether `zone` is a time zone this browser knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** MozDef's time-period select (minutes; null: all). */
export const PERIODS: { label: string; minutes: number | null }[] = [
  { label: "1 hour", minutes: 60 },
  { label: "2 hours", minutes: 120 },
  { label: "6 hours", minutes: 360 },
  { label: "1 day", minutes: 1440 },
  { label: "2 days", minutes: 2880 },
  { label: "7 days", minutes: 10080 },
  { label: "30 days", minutes: 43200 },
  { label: "All", minutes: null },
];

/** `<input type="datetime-local">`'s value for an ISO time, in `zone`. */
export function toLocalInput(value: string | undefined, zone: string): string {
  const parts = value ? zonedParts(value, zone) : null;
  if (!parts) return "";
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The instant an `<input type="datetime-local">` value means in `zone`, as RFC 3339 UTC. */
export function fromLocalInput(value: string, zone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  // Guess UTC, then correct by the zone's offset at that instant (twice, for DST edges).
  let guess = Date.UTC(y, mo - 1, d, h, mi);
  for (let i = 0; i < 2; i++) {
    const shown = toLocalInput(new Date(guess).toISOString(), zone);
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(shown);
    if (!m) break;
    const [, y2, mo2, d2, h2, mi2] = m.map(Number) as [number, number, number, number, number, number];
    guess += Date.UTC(y, mo - 1, d, h, mi) - Date.UTC(y2, mo2 - 1, d2, h2, mi2);
  }
  return new Date(guess).toISOString();
}
