/**
 * The editable fields of an incident or an investigation (IncidentWrite / InvestigationWrite),
 * normalised for a form, and the co-editing state: `base` (per field, the server value the
 * local edit started from), `local` (the form), `server` (the newest version known).
 */
import { PHASES, type Phase } from "../api/types";
import { mergeLine, mergeList, mergeText, mergeValue } from "./merge";

export type CaseCollection = "incidents" | "investigations";

export const THEORY_STATUSES = ["unverified", "verified", "disproven"] as const;
export const MITIGATION_STATUSES = ["planned", "in progress", "complete", "abandoned"] as const;

export interface TheoryItem {
  summary: string;
  status: "" | (typeof THEORY_STATUSES)[number];
  evidence: string;
}
export interface TimestampItem {
  timestamp: string;
  description: string;
}
export interface MitigationItem {
  summary: string;
  temporary: boolean;
  status: "" | (typeof MITIGATION_STATUSES)[number];
}
export interface NoteItem {
  summary: string;
  date: string;
  by: string;
}
export interface IndicatorItem {
  type: string;
  value: string;
  description: string;
}
export interface EvidenceItem {
  summary: string;
  location: string;
  date: string;
}
export interface TimelineValue {
  dateBegin: string;
  dateEnd: string;
}

export interface CaseForm {
  summary: string;
  description: string;
  phase: Phase | "";
  dateOpened: string;
  dateReported: string;
  dateVerified: string;
  dateMitigated: string;
  dateContained: string;
  dateClosed: string;
  tags: string[];
  references: string[];
  theories: TheoryItem[];
  timestamps: TimestampItem[];
  mitigations: MitigationItem[];
  lessons: NoteItem[];
  notes: NoteItem[];
  indicators: IndicatorItem[];
  evidence: EvidenceItem[];
  timeline: TimelineValue;
}

export type Field = keyof CaseForm;

export const FORM_DATE_FIELDS = ["dateOpened", "dateReported", "dateVerified", "dateMitigated", "dateContained", "dateClosed"] as const;

export const COMMON_FIELDS: Field[] = [
  "summary",
  "description",
  "phase",
  ...FORM_DATE_FIELDS,
  "tags",
  "references",
  "theories",
  "timestamps",
  "mitigations",
  "lessons",
  "notes",
];
const INVESTIGATION_FIELDS: Field[] = [...COMMON_FIELDS, "indicators", "evidence", "timeline"];

export function fieldsOf(collection: CaseCollection): Field[] {
  return collection === "investigations" ? INVESTIGATION_FIELDS : COMMON_FIELDS;
}

export type ListField = "references" | "theories" | "timestamps" | "mitigations" | "lessons" | "notes" | "indicators" | "evidence";

/** What each list's items need: the required key, and the free-text keys (all empty: a draft). */
export const LIST_SPECS: Record<Exclude<ListField, "references">, { required: string; text: string[] }> = {
  theories: { required: "summary", text: ["summary", "evidence"] },
  timestamps: { required: "timestamp", text: ["description"] },
  mitigations: { required: "summary", text: ["summary"] },
  lessons: { required: "summary", text: ["summary"] },
  notes: { required: "summary", text: ["summary"] },
  indicators: { required: "value", text: ["type", "value", "description"] },
  evidence: { required: "summary", text: ["summary", "location"] },
};

const DATE_KEYS = new Set<string>([...FORM_DATE_FIELDS, "date", "timestamp", "dateBegin", "dateEnd"]);

// ---------------------------------------------------------------------------------------
// From the API

function str(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function objects(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => (item && typeof item === "object" ? (item as Record<string, unknown>) : { summary: str(item) }));
}

function pick<T extends string>(value: unknown, allowed: readonly T[]): T | "" {
  return allowed.includes(value as T) ? (value as T) : "";
}

function note(item: Record<string, unknown>): NoteItem {
  return { summary: str(item.summary), date: str(item.date), by: str(item.by) };
}

/** A record (or a change's document) as form values. */
export function toForm(record: Record<string, unknown>): CaseForm {
  const timeline = record.timeline && typeof record.timeline === "object" ? (record.timeline as Record<string, unknown>) : {};
  return {
    summary: str(record.summary),
    description: str(record.description),
    phase: pick(record.phase, PHASES),
    dateOpened: str(record.dateOpened),
    dateReported: str(record.dateReported),
    dateVerified: str(record.dateVerified),
    dateMitigated: str(record.dateMitigated),
    dateContained: str(record.dateContained),
    dateClosed: str(record.dateClosed),
    tags: Array.isArray(record.tags) ? record.tags.map(str) : [],
    references: Array.isArray(record.references) ? record.references.map(str) : [],
    theories: objects(record.theories).map((t) => ({ summary: str(t.summary), status: pick(t.status, THEORY_STATUSES), evidence: str(t.evidence) })),
    timestamps: objects(record.timestamps).map((t) => ({ timestamp: str(t.timestamp), description: str(t.description) })),
    mitigations: objects(record.mitigations).map((m) => ({
      summary: str(m.summary),
      temporary: m.temporary === true,
      status: pick(m.status, MITIGATION_STATUSES),
    })),
    lessons: objects(record.lessons).map(note),
    notes: objects(record.notes).map(note),
    indicators: objects(record.indicators).map((i) => ({ type: str(i.type), value: str(i.value), description: str(i.description) })),
    evidence: objects(record.evidence).map((e) => ({ summary: str(e.summary), location: str(e.location), date: str(e.date) })),
    timeline: { dateBegin: str(timeline.dateBegin), dateEnd: str(timeline.dateEnd) },
  };
}

export function emptyForm(): CaseForm {
  return toForm({});
}

// ---------------------------------------------------------------------------------------
// Drafts, comparison, validation

/** An item whose free text is all empty: being written, not sent yet. */
export function isDraftItem(field: ListField, item: unknown): boolean {
  if (field === "references") return str(item).trim() === "";
  const spec = LIST_SPECS[field];
  const record = item as Record<string, unknown>;
  return spec.text.every((key) => str(record[key]).trim() === "");
}

function withoutDrafts(field: ListField, items: readonly unknown[]): unknown[] {
  return items.filter((item) => !isDraftItem(field, item));
}

function isListField(field: Field): field is ListField {
  return field in LIST_SPECS || field === "references";
}

function normDate(value: string): string {
  const text = value.trim();
  if (!text) return "";
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** A value as the server would store it: strings trimmed, times to one form, empties dropped. */
function normalize(key: string, value: unknown): unknown {
  if (typeof value === "string") return DATE_KEYS.has(key) ? normDate(value) : value.trim();
  if (Array.isArray(value)) return value.map((item) => normalize("", item));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalize(k, (value as Record<string, unknown>)[k]);
      if (v === "" || v === false || v === undefined || v === null) continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}

/** The content key of one list item (two items with the same key are the same item). */
export function itemKey(item: unknown): string {
  return JSON.stringify(normalize("", item));
}

function canonical(field: Field, value: unknown): string {
  const effective = isListField(field) ? withoutDrafts(field, value as unknown[]) : value;
  return JSON.stringify(normalize(field, effective));
}

/** Whether two values of `field` mean the same to the server. */
export function same(field: Field, a: unknown, b: unknown): boolean {
  return a === b || canonical(field, a) === canonical(field, b);
}

/** What stops a save: required fields left empty (list drafts are fine: they are not sent). */
export function problems(form: CaseForm, fields: readonly Field[]): string[] {
  const out: string[] = [];
  if (form.summary.trim() === "") out.push("Summary is required.");
  for (const field of fields) {
    if (!isListField(field) || field === "references") continue;
    const spec = LIST_SPECS[field];
    (form[field] as unknown as Record<string, unknown>[]).forEach((item, n) => {
      if (isDraftItem(field, item)) return;
      if (str(item[spec.required]).trim() === "") out.push(`${LIST_LABELS[field].one} ${n + 1}: ${spec.required} is required.`);
    });
  }
  return out;
}

export const LIST_LABELS: Record<ListField, { tab: string; one: string }> = {
  references: { tab: "References", one: "Reference" },
  theories: { tab: "Theories", one: "Theory" },
  timestamps: { tab: "Timestamps", one: "Timestamp" },
  mitigations: { tab: "Mitigations", one: "Mitigation" },
  lessons: { tab: "Lessons", one: "Lesson" },
  notes: { tab: "Notes", one: "Note" },
  indicators: { tab: "Indicators", one: "Indicator" },
  evidence: { tab: "Evidence", one: "Evidence" },
};

// ---------------------------------------------------------------------------------------
// To the API

function compact(item: Record<string, unknown>, required: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === "boolean") {
      if (value) out[key] = value;
    } else if (key === required || str(value).trim() !== "") out[key] = value;
  }
  return out;
}

/** The body of a write: the fields of `fields`, drafts and empty optional values left out. */
export function toWrite(form: CaseForm, fields: readonly Field[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = form[field];
    if (field === "timeline") {
      body.timeline = compact(value as unknown as Record<string, unknown>, "");
    } else if (field === "references" || field === "tags") {
      body[field] = (value as string[]).filter((item) => item.trim() !== "");
    } else if (isListField(field)) {
      const spec = LIST_SPECS[field as Exclude<ListField, "references">];
      body[field] = withoutDrafts(field, value as unknown[]).map((item) => compact(item as Record<string, unknown>, spec.required));
    } else if (typeof value === "string") {
      if (value.trim() !== "" || field === "summary" || field === "description") body[field] = value;
    }
  }
  return body;
}

// ---------------------------------------------------------------------------------------
// Merging

/** A three-way merge of one field; `conflict` when both sides changed it in a way that clashes. */
export function mergeField(field: Field, base: CaseForm, local: CaseForm, theirs: CaseForm): { value: unknown; conflict: boolean } {
  const b = base[field];
  const l = local[field];
  const t = theirs[field];
  if (same(field, l, b)) return { value: t, conflict: false };
  if (same(field, t, b) || same(field, l, t)) return { value: l, conflict: false };
  if (field === "description") {
    const merged = mergeText(b as string, l as string, t as string);
    return { value: merged.text, conflict: merged.conflicts > 0 };
  }
  if (field === "summary") {
    const merged = mergeLine(b as string, l as string, t as string);
    return { value: merged.text, conflict: merged.conflicts > 0 };
  }
  if (field === "timeline") {
    const bt = b as TimelineValue;
    const lt = l as TimelineValue;
    const tt = t as TimelineValue;
    const eq = (x: string, y: string) => normDate(x) === normDate(y);
    const begin = mergeValue(bt.dateBegin, lt.dateBegin, tt.dateBegin, eq);
    const end = mergeValue(bt.dateEnd, lt.dateEnd, tt.dateEnd, eq);
    return { value: { dateBegin: begin.value, dateEnd: end.value }, conflict: begin.conflict || end.conflict };
  }
  if (field === "tags") {
    return { value: [...new Set(mergeList(b as string[], l as string[], t as string[]))], conflict: false };
  }
  if (isListField(field)) {
    // Drafts stay local: they are merged after the rest.
    const drafts = (l as unknown[]).filter((item) => isDraftItem(field, item));
    const merged = mergeList(withoutDrafts(field, b as unknown[]), withoutDrafts(field, l as unknown[]), withoutDrafts(field, t as unknown[]), itemKey);
    return { value: [...merged, ...drafts], conflict: false };
  }
  // A phase or a date changed differently on both sides: the local choice stands.
  return { value: l, conflict: true };
}

// ---------------------------------------------------------------------------------------
// The co-editing state

export interface EditorState {
  /** Per field: the server value the local edit of that field started from. */
  base: CaseForm;
  /** The form as the user sees it. */
  local: CaseForm;
  /** The newest version of the record known. */
  server: CaseForm;
  version: number;
  modifiedBy: string;
}

export function initialState(form: CaseForm, version: number, modifiedBy: string): EditorState {
  return { base: form, local: form, server: form, version, modifiedBy };
}

/** Fields the user changed since the server value they started from. */
export function modifiedFields(state: EditorState, fields: readonly Field[]): Field[] {
  return fields.filter((f) => !same(f, state.local[f], state.base[f]));
}

/** Fields whose form value differs from the newest server version: what a save would send. */
export function dirtyFields(state: EditorState, fields: readonly Field[]): Field[] {
  return fields.filter((f) => !same(f, state.local[f], state.server[f]));
}

/** Fields changed both here and on the server since the local edit started. */
export function conflictFields(state: EditorState, fields: readonly Field[]): Field[] {
  return fields.filter(
    (f) => !same(f, state.local[f], state.base[f]) && !same(f, state.server[f], state.base[f]) && !same(f, state.local[f], state.server[f]),
  );
}

/** A list's new server value with the local drafts (items being written) kept at the end. */
function keepDrafts(field: Field, serverValue: unknown, localValue: unknown): unknown {
  if (!isListField(field)) return serverValue;
  const drafts = (localValue as unknown[]).filter((item) => isDraftItem(field, item));
  return drafts.length ? [...(serverValue as unknown[]), ...drafts] : serverValue;
}

export interface RemoteResult {
  state: EditorState;
  /** Fields whose form value changed to the remote one. */
  applied: Field[];
  /** Fields edited here that the remote change also changed (kept local: merged on save). */
  conflicts: Field[];
}

/**
 * Another version of the record arrived: fields the user has not changed take it; fields
 * changed on one side only keep the local value; fields changed on both are conflicts
 * (their base stays, so a save merges them three-way).
 */
export function applyRemote(state: EditorState, remote: CaseForm, version: number, by: string, fields: readonly Field[]): RemoteResult {
  if (version <= state.version) return { state, applied: [], conflicts: [] };
  const base = { ...state.base };
  const local = { ...state.local };
  const applied: Field[] = [];
  const conflicts: Field[] = [];
  const set = <F extends Field>(target: CaseForm, f: F, value: unknown) => {
    target[f] = value as CaseForm[F];
  };
  for (const f of fields) {
    const r = remote[f];
    if (same(f, state.local[f], state.base[f])) {
      set(base, f, r);
      if (!same(f, state.local[f], r)) {
        set(local, f, keepDrafts(f, r, state.local[f]));
        applied.push(f);
      }
    } else if (same(f, r, state.base[f])) {
      // Only the local side changed it.
    } else if (same(f, r, state.local[f])) {
      set(base, f, r);
    } else {
      conflicts.push(f);
    }
  }
  return { state: { base, local, server: remote, version, modifiedBy: by }, applied, conflicts };
}

/** The user edits a field. */
export function editField<F extends Field>(state: EditorState, field: F, value: CaseForm[F]): EditorState {
  return { ...state, local: { ...state.local, [field]: value } };
}

/** Takes the server's value of a field (drops the local edit). */
export function takeTheirs(state: EditorState, field: Field): EditorState {
  return {
    ...state,
    base: { ...state.base, [field]: state.server[field] },
    local: { ...state.local, [field]: keepDrafts(field, state.server[field], state.local[field]) },
  };
}

/** Merges the conflicting fields into the form: after this, the local edits sit on `server`. */
export function mergeConflicts(state: EditorState, fields: readonly Field[]): { state: EditorState; merged: Field[]; clashes: Field[] } {
  const merged = conflictFields(state, fields);
  if (!merged.length) return { state, merged, clashes: [] };
  const base = { ...state.base };
  const local = { ...state.local };
  const clashes: Field[] = [];
  for (const f of merged) {
    const result = mergeField(f, state.base, state.local, state.server);
    (local as Record<Field, unknown>)[f] = result.value;
    (base as Record<Field, unknown>)[f] = state.server[f];
    if (result.conflict) clashes.push(f);
  }
  return { state: { ...state, base, local }, merged, clashes };
}

/**
 * A save of `sent` answered with `result` (version `version`): the result becomes the base of
 * every field; fields the user has not touched since sending show the result.
 */
export function afterSave(state: EditorState, sent: CaseForm, result: CaseForm, version: number, by: string, fields: readonly Field[]): EditorState {
  const base = { ...state.base };
  const local = { ...state.local };
  for (const f of fields) {
    (base as Record<Field, unknown>)[f] = result[f];
    if (state.local[f] === sent[f] && !same(f, state.local[f], result[f])) {
      (local as Record<Field, unknown>)[f] = keepDrafts(f, result[f], state.local[f]);
    }
  }
  const saved: EditorState = { base, local, server: result, version, modifiedBy: by };
  if (state.version > version) {
    // A newer version (built on this write) arrived meanwhile: apply it on top.
    return applyRemote({ ...saved, version }, state.server, state.version, state.modifiedBy, fields).state;
  }
  return saved;
}

/** A draft kept in session storage (survives a sign-in round trip). */
export interface StoredDraft {
  version: number;
  base: CaseForm;
  local: CaseForm;
}

/** A stored draft over the record as it is now: the draft's edits merged onto it. */
export function restoreDraft(draft: StoredDraft, record: CaseForm, version: number, by: string, fields: readonly Field[]): EditorState {
  const base = { ...emptyForm(), ...draft.base };
  const local = { ...emptyForm(), ...draft.local };
  if (version > draft.version) {
    return applyRemote({ base, local, server: base, version: draft.version, modifiedBy: by }, record, version, by, fields).state;
  }
  return { base, local, server: record, version, modifiedBy: by };
}
