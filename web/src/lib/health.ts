/** The health page's figures: the categories of the last 15 minutes, numbers as text. */
import type { Health, QueueDepth } from "../api/types";

/** MozDef's `details.counts` (a list of `{category: count}`) merged, the biggest first. */
export function categoryRows(counts: Record<string, number>[]): { category: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const entry of counts) {
    for (const [category, n] of Object.entries(entry)) {
      if (typeof n === "number" && Number.isFinite(n)) totals.set(category, (totals.get(category) ?? 0) + n);
    }
  }
  return [...totals]
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
}

/** The queues, or why they could not be read. */
export function queueList(queues: Health["queues"]): { queues: QueueDepth[]; error: string | null } {
  return Array.isArray(queues) ? { queues, error: null } : { queues: [], error: queues.error };
}

/** `12,345`; `—` for a missing figure. */
export function formatCount(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

/** A figure with at most `digits` decimals (`0.5`, `12.25`); `—` when missing. */
export function formatFigure(n: number | null | undefined, digits = 2): string {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "—";
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`...; `—` when missing. */
export function formatBytes(n: number | null | undefined): string {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toLocaleString("en-US", { maximumFractionDigits: 1 })} ${units[unit]}`;
}

/** The store's status in words, beside its colour. */
export function statusWords(status: string): string {
  switch (status) {
    case "green":
      return "green: all shards allocated";
    case "yellow":
      return "yellow: replicas missing";
    case "red":
      return "red: data unavailable";
    default:
      return status;
  }
}

/** A backend's cluster figures worth a row each: the scalars, by name. */
export function clusterFacts(cluster: unknown): [string, string][] {
  if (cluster === null || typeof cluster !== "object" || Array.isArray(cluster)) return [];
  return Object.entries(cluster as Record<string, unknown>).flatMap(([key, value]): [string, string][] =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? [[key, String(value)]] : [],
  );
}
