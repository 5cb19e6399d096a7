/** The IP and FQDN blocklists and the watchlist: an entry's value and whether it has expired. */
import type { ListEntry } from "../api/types";

export type ListKindName = "watchlist" | "ipblocklist" | "fqdnblocklist";

/** The entry's value: the address, the domain name or the watched term. */
export function entryValue(entry: ListEntry, kind: ListKindName): string {
  const value = kind === "ipblocklist" ? entry.address : kind === "fqdnblocklist" ? entry.fqdn : entry.watchcontent;
  return value ?? entry.address ?? entry.fqdn ?? entry.watchcontent ?? "";
}

/** Whether the entry expired before `now` (an entry without expiry never does). */
export function isExpired(entry: Pick<ListEntry, "dateExpiring">, now: number): boolean {
  if (!entry.dateExpiring) return false;
  const at = Date.parse(entry.dateExpiring);
  return !Number.isNaN(at) && at <= now;
}
