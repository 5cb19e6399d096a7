/** Who else is on a record, from `GET /api/presence/...`. */
import type { Presence } from "../api/types";

/**
 * One entry per other user. The API keeps an entry per user and activity, each lapsing 30 s
 * after its last renewal: the latest renewed (the latest `expires`) is what they do now.
 */
export function othersOnRecord(presence: readonly Presence[], me: string | undefined): Presence[] {
  const byUser = new Map<string, Presence>();
  for (const entry of presence) {
    if (entry.user === me) continue;
    const known = byUser.get(entry.user);
    if (!known || Date.parse(entry.expires) > Date.parse(known.expires)) byUser.set(entry.user, entry);
  }
  return [...byUser.values()].sort((a, b) => a.user.localeCompare(b.user));
}
