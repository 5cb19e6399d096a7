/**
 * The co-editing editor of one incident or investigation, outside React so that it can be
 * tested: the form state (lib/caseForm.ts), autosave after a second of idle, explicit saves,
 * the retry after a 409 (three-way merge with the record's `current`), other users' changes
 * from the change feed, and the draft kept in session storage (a 401 never loses it).
 */
import {
  afterSave,
  applyRemote,
  conflictFields,
  dirtyFields,
  initialState,
  mergeConflicts,
  problems,
  restoreDraft,
  same,
  takeTheirs,
  editField,
  toForm,
  toWrite,
  type CaseForm,
  type EditorState,
  type Field,
  type StoredDraft,
} from "./caseForm";

export type SaveStatus = "saved" | "unsaved" | "saving" | "invalid" | "error" | "expired" | "deleted";

export interface DraftStore {
  load(): StoredDraft | null;
  save(draft: StoredDraft): void;
  clear(): void;
}

export interface EditorOptions {
  fields: readonly Field[];
  /** The record as read (`id`, `version`, `modifiedBy` and its fields). */
  record: Record<string, unknown>;
  /** `PUT` of the body (which carries `version`): the record as written. */
  put: (body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  drafts?: DraftStore;
  autosaveMs?: number;
  /** How long "Updated by" shows (ms). */
  updatedNoticeMs?: number;
  /** How long "Merged with changes by" shows (ms). */
  mergedNoticeMs?: number;
}

export interface EditorSnapshot {
  state: EditorState;
  /** The newest record as the server has it (links, creator, ...). */
  record: Record<string, unknown>;
  status: SaveStatus;
  /** Why the last save failed, or what stops the next one. */
  message: string | null;
  dirty: boolean;
  conflicts: Field[];
  /** Someone else's change just arrived. */
  updatedBy: string | null;
  /** The last save merged someone else's changes. */
  merged: { by: string; fields: Field[]; clashes: Field[] } | null;
  deletedBy: string | null;
  /** A draft from session storage was restored. */
  restored: boolean;
}

interface HttpFailure {
  status?: unknown;
  message?: unknown;
  body?: { current?: unknown } | null;
}

const MAX_ATTEMPTS = 5;

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" ? value : fallback;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export class CaseEditor {
  private readonly options: EditorOptions;
  private readonly fields: readonly Field[];
  private state: EditorState;
  private record: Record<string, unknown>;
  private listeners = new Set<() => void>();
  private snapshot: EditorSnapshot;
  private saving = false;
  private again = false;
  private inFlight: CaseForm | null = null;
  private failure: { status: SaveStatus; message: string } | null = null;
  private updatedBy: string | null = null;
  private merged: EditorSnapshot["merged"] = null;
  private deletedBy: string | null = null;
  private restored = false;
  private autosaveTimer: ReturnType<typeof setTimeout> | null = null;
  private updatedTimer: ReturnType<typeof setTimeout> | null = null;
  private mergedTimer: ReturnType<typeof setTimeout> | null = null;
  private active = false;
  private running: Promise<void> | null = null;

  constructor(options: EditorOptions) {
    this.options = options;
    this.fields = options.fields;
    this.record = options.record;
    const form = toForm(options.record);
    const version = num(options.record.version);
    const by = text(options.record.modifiedBy);
    const draft = options.drafts?.load() ?? null;
    this.state = initialState(form, version, by);
    if (draft) {
      const restored = restoreDraft(draft, form, version, by, this.fields);
      if (dirtyFields(restored, this.fields).length) {
        this.state = restored;
        this.restored = true;
      } else options.drafts?.clear();
    }
    this.snapshot = this.build();
  }

  // -------------------------------------------------------------------------------------
  // For React (useSyncExternalStore)

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): EditorSnapshot => this.snapshot;

  private build(): EditorSnapshot {
    const dirty = dirtyFields(this.state, this.fields).length > 0;
    const blockers = problems(this.state.local, this.fields);
    let status: SaveStatus;
    let message: string | null = null;
    if (this.deletedBy) status = "deleted";
    else if (this.saving) status = "saving";
    else if (this.failure && dirty) ({ status, message } = this.failure);
    else if (dirty && blockers.length) {
      status = "invalid";
      message = blockers.join(" ");
    } else status = dirty ? "unsaved" : "saved";
    return {
      state: this.state,
      record: this.record,
      status,
      message,
      dirty,
      conflicts: conflictFields(this.state, this.fields),
      updatedBy: this.updatedBy,
      merged: this.merged,
      deletedBy: this.deletedBy,
      restored: this.restored,
    };
  }

  private emit(): void {
    this.snapshot = this.build();
    this.persist();
    for (const listener of this.listeners) listener();
  }

  private persist(): void {
    const drafts = this.options.drafts;
    if (!drafts) return;
    if (this.snapshot.dirty && !this.deletedBy) drafts.save({ version: this.state.version, base: this.state.base, local: this.state.local });
    else drafts.clear();
  }

  // -------------------------------------------------------------------------------------
  // Life cycle

  /** The page shows the editor: a restored draft is saved after the usual idle. */
  start(): void {
    this.active = true;
    if (this.snapshot.dirty) this.scheduleAutosave();
  }

  /** The page goes away: timers stop; unsaved changes are sent once (the draft stays too). */
  stop(): void {
    this.active = false;
    this.clearTimer("autosaveTimer");
    this.clearTimer("updatedTimer");
    this.clearTimer("mergedTimer");
    if (this.snapshot.dirty && !this.saving && this.snapshot.status === "unsaved") void this.save();
  }

  private clearTimer(name: "autosaveTimer" | "updatedTimer" | "mergedTimer"): void {
    const timer = this[name];
    if (timer !== null) clearTimeout(timer);
    this[name] = null;
  }

  private scheduleAutosave(): void {
    this.clearTimer("autosaveTimer");
    if (!this.active) return;
    this.autosaveTimer = setTimeout(() => {
      this.autosaveTimer = null;
      if (this.snapshot.dirty && this.snapshot.status !== "invalid" && this.snapshot.status !== "deleted") void this.save();
    }, this.options.autosaveMs ?? 1000);
  }

  // -------------------------------------------------------------------------------------
  // Edits

  edit<F extends Field>(field: F, value: CaseForm[F]): void {
    if (this.deletedBy) return;
    this.state = editField(this.state, field, value);
    // A new edit retries after a failure (an expired session keeps failing until sign-in).
    this.failure = null;
    this.emit();
    this.scheduleAutosave();
  }

  /** Drops the local edit of a conflicting field for the server's value. */
  useTheirs(field: Field): void {
    this.state = takeTheirs(this.state, field);
    this.emit();
    this.scheduleAutosave();
  }

  /** Merges a conflicting field into the form now (a save would do the same). */
  mergeNow(field: Field): void {
    const result = mergeConflicts(this.state, [field]);
    this.state = result.state;
    this.emit();
    this.scheduleAutosave();
  }

  // -------------------------------------------------------------------------------------
  // Others' changes

  /** A version of the record from the change feed or a refetch. */
  remote(record: Record<string, unknown>, version: number, by: string): void {
    if (version <= this.state.version) return;
    const form = toForm(record);
    // Our own write coming back through the feed before its answer: the answer handles it.
    if (this.inFlight && this.fields.every((f) => same(f, form[f], this.inFlight![f]))) return;
    this.record = { ...this.record, ...record, version, modifiedBy: by };
    const result = applyRemote(this.state, form, version, by, this.fields);
    this.state = result.state;
    if (result.applied.length || result.conflicts.length) {
      this.updatedBy = by;
      this.clearTimer("updatedTimer");
      this.updatedTimer = setTimeout(() => {
        this.updatedTimer = null;
        this.updatedBy = null;
        this.emit();
      }, this.options.updatedNoticeMs ?? 5000);
    }
    this.emit();
  }

  /** The record was deleted (by someone, maybe us in another tab). */
  deleted(by: string): void {
    this.deletedBy = by || "someone";
    this.clearTimer("autosaveTimer");
    this.emit();
  }

  // -------------------------------------------------------------------------------------
  // Saving

  /** Saves now (Save, Ctrl/Cmd-S, autosave); resolves when the form is saved or failed. */
  save(): Promise<void> {
    this.clearTimer("autosaveTimer");
    if (this.deletedBy) return Promise.resolve();
    if (this.saving) {
      this.again = true;
      return this.running ?? Promise.resolve();
    }
    const blockers = problems(this.state.local, this.fields);
    if (blockers.length) {
      this.failure = null;
      this.emit();
      return Promise.resolve();
    }
    this.running = this.run();
    return this.running;
  }

  private showMerged(by: string, fields: Field[], clashes: Field[]): void {
    const previous = this.merged && this.merged.by === by ? this.merged : null;
    this.merged = {
      by,
      fields: [...new Set([...(previous?.fields ?? []), ...fields])],
      clashes: [...new Set([...(previous?.clashes ?? []), ...clashes])],
    };
    this.clearTimer("mergedTimer");
    this.mergedTimer = setTimeout(() => {
      this.mergedTimer = null;
      this.merged = null;
      this.emit();
    }, this.options.mergedNoticeMs ?? 15000);
  }

  private async run(): Promise<void> {
    this.saving = true;
    this.again = false;
    this.failure = null;
    this.emit();
    let mergedBy: string | null = null;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const merge = mergeConflicts(this.state, this.fields);
        this.state = merge.state;
        if (merge.merged.length || mergedBy) {
          this.showMerged(mergedBy ?? this.state.modifiedBy, merge.merged, merge.clashes);
        }
        if (!dirtyFields(this.state, this.fields).length) break;
        const sent = this.state.local;
        const version = this.state.version;
        this.inFlight = sent;
        this.emit();
        try {
          const result = await this.options.put({ ...toWrite(sent, this.fields), version });
          this.inFlight = null;
          this.record = { ...this.record, ...result };
          this.state = afterSave(this.state, sent, toForm(result), num(result.version, version + 1), text(result.modifiedBy), this.fields);
          return;
        } catch (error) {
          this.inFlight = null;
          const failure = (error ?? {}) as HttpFailure;
          const current = failure.body?.current;
          if (failure.status === 409 && current && typeof current === "object") {
            const record = current as Record<string, unknown>;
            mergedBy = text(record.modifiedBy) || "someone";
            this.record = { ...this.record, ...record };
            this.state = applyRemote(this.state, toForm(record), num(record.version), mergedBy, this.fields).state;
            continue;
          }
          if (failure.status === 401) {
            this.failure = { status: "expired", message: "Your session has expired: sign in again to save. Your changes are kept." };
          } else if (failure.status === 404) {
            this.failure = { status: "error", message: "This record no longer exists." };
          } else {
            const message = typeof failure.message === "string" ? failure.message : String(error);
            this.failure = { status: "error", message: `Not saved: ${message}` };
          }
          return;
        }
      }
      if (dirtyFields(this.state, this.fields).length && !this.failure) {
        this.failure = { status: "error", message: "Not saved: the record keeps changing; save again." };
      }
    } finally {
      this.saving = false;
      this.running = null;
      this.emit();
      if (this.again && this.snapshot.status === "unsaved") void this.save();
      this.again = false;
    }
  }
}
