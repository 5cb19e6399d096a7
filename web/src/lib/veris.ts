/** The VERIS statistics (`GET /api/veris`: one row per tag of each incident) and tag browser. */
import { PHASES, type VerisRow } from "../api/types";

export interface PivotRow {
  tag: string;
  /** Incidents with the tag, by phase. */
  byPhase: Record<string, number>;
  total: number;
}

export interface Pivot {
  phases: string[];
  rows: PivotRow[];
  /** Per phase over all rows, and the grand total. */
  totals: Record<string, number>;
  total: number;
}

/** Whether `text` matches every word of `filter` (case-insensitive). */
export function matchesFilter(text: string, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = text.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** Rows: tags (most incidents first, then by name); columns: the phases (MozDef's order). */
export function pivot(rows: readonly VerisRow[], filter = ""): Pivot {
  const byTag = new Map<string, PivotRow>();
  const extra = new Set<string>();
  for (const row of rows) {
    if (!row.tags || !matchesFilter(row.tags, filter)) continue;
    const phase = row.phase ?? "(none)";
    if (!(PHASES as readonly string[]).includes(phase)) extra.add(phase);
    let entry = byTag.get(row.tags);
    if (!entry) {
      entry = { tag: row.tags, byPhase: {}, total: 0 };
      byTag.set(row.tags, entry);
    }
    entry.byPhase[phase] = (entry.byPhase[phase] ?? 0) + 1;
    entry.total++;
  }
  const phases = [...PHASES, ...[...extra].sort()];
  const sorted = [...byTag.values()].sort((a, b) => b.total - a.total || a.tag.localeCompare(b.tag));
  const totals: Record<string, number> = {};
  let total = 0;
  for (const row of sorted) {
    for (const [phase, count] of Object.entries(row.byPhase)) totals[phase] = (totals[phase] ?? 0) + count;
    total += row.total;
  }
  return { phases, rows: sorted, totals, total };
}

/** Tags grouped by their top-level path (`action`, `actor`, ...), filtered, in order. */
export function groupTags(tags: readonly string[], filter = ""): { group: string; tags: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const tag of tags) {
    if (!matchesFilter(tag, filter)) continue;
    const group = tag.split(".")[0] ?? tag;
    const list = groups.get(group) ?? [];
    list.push(tag);
    groups.set(group, list);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => ({ group, tags: list }));
}

/** The incidents list filtered by one tag. */
export function incidentsWithTag(tag: string): string {
  return `/incidents?${new URLSearchParams({ tags: tag }).toString()}`;
}
