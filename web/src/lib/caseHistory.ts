/** A record's history (`GET /api/history/...`) as "who changed what when". */
import type { Change } from "../api/types";

export interface HistoryEntry {
  seq: number;
  at: string;
  by: string;
  kind: Change["kind"];
  version: number;
  /** One line per field changed. */
  lines: string[];
}

/** Fields the server keeps itself: not shown as changes. */
const HIDDEN = new Set(["id", "version", "created", "createdBy", "modified", "modifiedBy", "creatorVerified"]);

function clip(text: string, max = 80): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Formats a time for display (the user's zone); as is by default. */
type DateFormat = (iso: string) => string;

const DATE_KEYS = new Set(["dateOpened", "dateReported", "dateVerified", "dateMitigated", "dateContained", "dateClosed", "date", "timestamp", "dateBegin", "dateEnd"]);

function show(value: unknown, key = "", formatDate: DateFormat = (iso) => iso): string {
  if (value === undefined || value === null || value === "") return "(empty)";
  if (typeof value === "string") return DATE_KEYS.has(key) ? formatDate(value) : `“${clip(value)}”`;
  if (typeof value === "object" && !Array.isArray(value)) {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => `${k}: ${typeof v === "string" ? (DATE_KEYS.has(k) ? formatDate(v) : clip(v, 40)) : JSON.stringify(v)}`);
    return parts.length ? `{${parts.join(", ")}}` : "(empty)";
  }
  return JSON.stringify(value);
}

function itemText(item: unknown): string {
  if (typeof item === "string") return clip(item, 60);
  if (item && typeof item === "object") {
    const record = item as Record<string, unknown>;
    const main = record.summary ?? record.value ?? record.description ?? record.timestamp;
    if (typeof main === "string") return clip(main, 60);
  }
  return clip(JSON.stringify(item), 60);
}

/** What changed from `before` to `after`, one line per field. */
export function describeChange(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  formatDate: DateFormat = (iso) => iso,
): string[] {
  if (!after) return ["deleted"];
  const lines: string[] = [];
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].filter((k) => !HIDDEN.has(k));
  for (const key of keys) {
    const a = before?.[key];
    const b = after[key];
    if (JSON.stringify(a ?? null) === JSON.stringify(b ?? null)) continue;
    if (Array.isArray(a) || Array.isArray(b)) {
      const left = (Array.isArray(a) ? a : []).map((x) => JSON.stringify(x));
      const right = (Array.isArray(b) ? b : []).map((x) => JSON.stringify(x));
      const removed = (Array.isArray(a) ? a : []).filter((_, n) => !right.includes(left[n]!));
      const added = (Array.isArray(b) ? b : []).filter((_, n) => !left.includes(right[n]!));
      const parts = [...added.map((x) => `+ ${itemText(x)}`), ...removed.map((x) => `− ${itemText(x)}`)];
      if (!before) {
        if (added.length) lines.push(`${key}: ${parts.join("; ")}`);
        continue;
      }
      lines.push(`${key}: ${parts.length ? parts.join("; ") : "reordered"}`);
    } else if (!before) {
      if (b !== undefined && b !== "" && !(typeof b === "object" && b && !Object.keys(b).length)) lines.push(`${key}: ${show(b, key, formatDate)}`);
    } else {
      lines.push(`${key}: ${show(a, key, formatDate)} → ${show(b, key, formatDate)}`);
    }
  }
  return lines;
}

/** The history, newest first, each change described against the one before it. */
export function historyEntries(changes: readonly Change[], formatDate?: DateFormat): HistoryEntry[] {
  const sorted = [...changes].sort((x, y) => x.seq - y.seq);
  let previous: Record<string, unknown> | null = null;
  const entries: HistoryEntry[] = [];
  for (const change of sorted) {
    const lines = change.kind === "deleted" ? ["deleted"] : describeChange(change.kind === "created" ? null : previous, change.record, formatDate);
    entries.push({ seq: change.seq, at: change.at, by: change.by, kind: change.kind, version: change.version, lines });
    if (change.record) previous = change.record;
  }
  return entries.reverse();
}
