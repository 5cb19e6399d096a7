/** The preferences form: what the user typed, checked before `PUT /preferences`. */
import type { Preferences } from "../api/types";
import { isTimeZone } from "./time";

export const THEMES: Preferences["theme"][] = ["Classic", "Dark", "Light", "Dark Side Nav"];
export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 500;

export interface PreferencesDraft {
  theme: string;
  pageSize: string;
  timezone: string;
}

export type DraftErrors = Partial<Record<keyof PreferencesDraft, string>>;

export type Checked =
  | { ok: true; value: Pick<Preferences, "theme" | "pageSize" | "timezone"> }
  | { ok: false; errors: DraftErrors };

/** The zone's canonical name (`europe/paris` → `Europe/Paris`); UTC stays `UTC`. */
export function canonicalZone(zone: string): string {
  if (zone.toUpperCase() === "UTC") return "UTC";
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/** The draft as the API takes it, or what is wrong with each field. */
export function checkPreferences(draft: PreferencesDraft): Checked {
  const errors: DraftErrors = {};
  const theme = THEMES.find((t) => t === draft.theme);
  if (!theme) errors.theme = `Choose one of ${THEMES.join(", ")}.`;
  const sizeText = draft.pageSize.trim();
  const pageSize = Number(sizeText);
  if (!/^\d+$/.test(sizeText) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
    errors.pageSize = `Enter a whole number from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}.`;
  }
  const zone = draft.timezone.trim();
  if (zone === "") errors.timezone = "Enter a time zone: UTC or a name such as Europe/Paris.";
  else if (zone.length > 64 || (zone.toUpperCase() !== "UTC" && !isTimeZone(zone))) {
    errors.timezone = `“${zone.slice(0, 64)}” is not a time zone: enter UTC or a name such as Europe/Paris.`;
  }
  if (!theme || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { theme, pageSize, timezone: canonicalZone(zone) } };
}
