/** Links from an incident's or investigation's data: escalated alerts, other records, URLs. */
import { safeHttpUrl } from "./links";

export type ReferenceLink = { kind: "alert"; id: string; to: string } | { kind: "url"; href: string } | null;

const ALERT = /^(?:https?:\/\/[^/\s]+)?\/alert\/([A-Za-z0-9._~-]+)\/?$/;

/**
 * What a reference points at: an alert of this UI (`/alert/<id>`, the reference an escalation
 * adds, also as a full URL), another http(s) URL, or nothing to link (plain text).
 */
export function referenceLink(reference: string): ReferenceLink {
  const text = reference.trim();
  const alert = ALERT.exec(text);
  if (alert) return { kind: "alert", id: alert[1]!, to: `/alert/${encodeURIComponent(alert[1]!)}` };
  const href = /^https?:\/\//i.test(text) ? safeHttpUrl(text) : null;
  return href ? { kind: "url", href } : null;
}

/** The path of a record's editor. */
export function caseEditPath(collection: "incidents" | "investigations", id: string): string {
  return `/${collection === "incidents" ? "incident" : "investigation"}/${encodeURIComponent(id)}/edit`;
}
