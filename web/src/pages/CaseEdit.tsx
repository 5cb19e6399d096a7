/**
 * `/incident/:id/edit`, `/investigation/:id/edit` (MozDef §6): every field of the record,
 * co-edited live. Saves send the whole write with the version read (Save, Ctrl/Cmd-S, and
 * autosave after a second of idle); others' changes arrive through the change feed and fill
 * the fields this user has not touched; a 409 is merged three-way and saved again
 * (lib/caseEditor.ts). Presence says who else is here. `/incident/new`, `/investigation/new`:
 * the form that creates one.
 */
import { useCallback, useEffect, useState, useSyncExternalStore, type FocusEvent, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useAllowed, useApi, useChanges, useIdentity, useTimeZone } from "../services";
import { PHASES, type CaseRecord, type Change, type History, type Phase } from "../api/types";
import { CaseEditor, type DraftStore, type EditorSnapshot } from "../lib/caseEditor";
import { fieldsOf, FORM_DATE_FIELDS, LIST_LABELS, type CaseCollection, type CaseForm, type Field, type ListField, type StoredDraft } from "../lib/caseForm";
import { caseEditPath } from "../lib/caseLinks";
import { historyEntries } from "../lib/caseHistory";
import { formatTime } from "../lib/time";
import { describeError, ErrorState, Loading, QueryState } from "../components/States";
import { Time } from "../components/Time";
import { Decorated } from "../components/Decorated";
import { Tabs, type TabSpec } from "../components/Tabs";
import { PresenceList, usePresence } from "../components/Presence";
import { VerisPicker } from "../components/VerisPicker";
import {
  DateTimeInput,
  EvidenceList,
  IndicatorsList,
  LessonsList,
  MitigationsList,
  NotesList,
  Reference,
  ReferencesList,
  TheoriesList,
  TimelineFields,
  TimestampsList,
} from "../components/CaseLists";
import "./CaseEdit.css";

const SINGULAR: Record<CaseCollection, string> = { incidents: "incident", investigations: "investigation" };
const TITLE: Record<CaseCollection, string> = { incidents: "Incident", investigations: "Investigation" };

export const DATE_LABELS: Record<(typeof FORM_DATE_FIELDS)[number], string> = {
  dateOpened: "Date opened",
  dateReported: "Date reported",
  dateVerified: "Date verified",
  dateMitigated: "Date mitigated",
  dateContained: "Date contained",
  dateClosed: "Date closed",
};

const FIELD_LABELS: Record<Field, string> = {
  summary: "Summary",
  description: "Description",
  phase: "Phase",
  ...DATE_LABELS,
  tags: "VERIS tags",
  references: "References",
  theories: "Theories",
  timestamps: "Timestamps",
  mitigations: "Mitigations",
  lessons: "Lessons",
  notes: "Notes",
  indicators: "Indicators",
  evidence: "Evidence",
  timeline: "Timeline",
};

const enc = encodeURIComponent;

/** The draft of one record in this tab's session storage (kept over a sign-in round trip). */
function sessionDrafts(collection: CaseCollection, id: string): DraftStore {
  const key = `mozdef-draft:${collection}:${id}`;
  return {
    load() {
      try {
        const raw = window.sessionStorage.getItem(key);
        if (!raw) return null;
        const draft = JSON.parse(raw) as Partial<StoredDraft>;
        if (typeof draft.version !== "number" || !draft.base || !draft.local) return null;
        return draft as StoredDraft;
      } catch {
        return null;
      }
    },
    save(draft) {
      try {
        window.sessionStorage.setItem(key, JSON.stringify(draft));
      } catch {
        // Storage full or off: the form still holds the text.
      }
    },
    clear() {
      try {
        window.sessionStorage.removeItem(key);
      } catch {
        // Nothing to clear.
      }
    },
  };
}

export function CaseEdit({ collection }: { collection: CaseCollection }) {
  const { id = "" } = useParams();
  const api = useApi();
  const query = useQuery({
    queryKey: ["record", collection, id],
    queryFn: ({ signal }) => api.get<CaseRecord>(`/${collection}/${enc(id)}`, undefined, signal),
  });
  if (!query.data) {
    return (
      <section className="case-page">
        <h1>{TITLE[collection]}</h1>
        <QueryState what={`the ${SINGULAR[collection]}`} query={query} />
      </section>
    );
  }
  return <Editor key={`${collection}/${id}`} collection={collection} id={id} latest={query.data} />;
}

const STATUS_TEXT: Record<EditorSnapshot["status"], string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved changes",
  invalid: "Unsaved changes",
  error: "Unsaved changes",
  expired: "Unsaved changes",
  deleted: "Deleted",
};

function Editor({ collection, id, latest }: { collection: CaseCollection; id: string; latest: CaseRecord }) {
  const api = useApi();
  const navigate = useNavigate();
  const responder = useAllowed("responder");
  const me = useIdentity()?.email ?? "";
  const fields = fieldsOf(collection);
  const [editor] = useState(
    () =>
      new CaseEditor({
        fields,
        record: latest as unknown as Record<string, unknown>,
        put: (body) => api.put<Record<string, unknown>>(`/${collection}/${enc(id)}`, body),
        drafts: sessionDrafts(collection, id),
      }),
  );
  const snap = useSyncExternalStore(editor.subscribe, editor.getSnapshot);

  useEffect(() => {
    editor.start();
    return () => editor.stop();
  }, [editor]);

  // A refetch (the feed invalidates the record's query) is one more source of versions.
  useEffect(() => {
    editor.remote(latest as unknown as Record<string, unknown>, latest.version, latest.modifiedBy);
  }, [editor, latest]);

  const onChange = useCallback(
    (change: Change) => {
      if (change.id !== id) return;
      if (change.kind === "deleted") editor.deleted(change.by);
      else if (change.record) editor.remote(change.record, change.version, change.by);
    },
    [editor, id],
  );
  useChanges(onChange, collection);

  const editable = responder && !snap.deletedBy;

  useEffect(() => {
    if (!editable) return;
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void editor.save();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [editor, editable]);

  const [focused, setFocused] = useState(false);
  const people = usePresence(collection, id, editable && (snap.dirty || focused) ? "editing" : "viewing");

  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "references";
  const selectTab = (next: string) =>
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        out.set("tab", next);
        return out;
      },
      { replace: true },
    );

  const makeIncident = useMutation({
    mutationFn: async () => {
      await editor.save();
      return api.post<CaseRecord>(`/investigations/${enc(id)}/incident`);
    },
    onSuccess: (incident) => void navigate(caseEditPath("incidents", incident.id)),
  });

  const local = snap.state.local;
  const record = snap.record as unknown as CaseRecord;
  const set = <F extends Field>(field: F) => (editable ? (value: CaseForm[F]) => editor.edit(field, value) : undefined);

  const onFocus = () => setFocused(true);
  const onBlur = (event: FocusEvent<HTMLFormElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setFocused(false);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void editor.save();
  };

  const conflict = (field: Field) => <Conflict field={field} snap={snap} editor={editor} />;

  const listFields: ListField[] = [
    "references",
    "theories",
    "timestamps",
    "mitigations",
    "lessons",
    "notes",
    ...(collection === "investigations" ? (["indicators", "evidence"] as const) : []),
  ];
  const listTabs = listFields.map((field) => ({
    id: field,
    tab: { id: field, label: LIST_LABELS[field].tab, badge: local[field].length || undefined } as TabSpec,
  }));
  const tabs: TabSpec[] = [
    ...listTabs.map((entry) => entry.tab),
    ...(collection === "investigations" ? [{ id: "timeline", label: "Timeline" }] : []),
    { id: "history", label: "History" },
  ];

  const panel = (() => {
    switch (tab) {
      case "theories":
        return <TheoriesList items={local.theories} onChange={set("theories")} />;
      case "timestamps":
        return <TimestampsList items={local.timestamps} onChange={set("timestamps")} />;
      case "mitigations":
        return <MitigationsList items={local.mitigations} onChange={set("mitigations")} />;
      case "lessons":
        return <LessonsList items={local.lessons} onChange={set("lessons")} me={me} />;
      case "notes":
        return <NotesList items={local.notes} onChange={set("notes")} me={me} />;
      case "indicators":
        return collection === "investigations" ? <IndicatorsList items={local.indicators} onChange={set("indicators")} /> : null;
      case "evidence":
        return collection === "investigations" ? <EvidenceList items={local.evidence} onChange={set("evidence")} /> : null;
      case "timeline":
        return collection === "investigations" ? <TimelineFields value={local.timeline} onChange={set("timeline")} /> : null;
      case "history":
        return <HistoryPanel collection={collection} id={id} />;
      default:
        return <ReferencesList items={local.references} onChange={set("references")} />;
    }
  })();
  const shownTab = tabs.some((t) => t.id === tab) ? tab : "references";

  return (
    <section className="case-page">
      <header className="case-header">
        <h1>
          {TITLE[collection]}: {record.summary}
        </h1>
        <p className="case-meta muted">
          Opened by {record.creator || record.createdBy} · version {snap.state.version} · last changed by {record.modifiedBy}{" "}
          <Time value={record.modified} />
        </p>
        <CaseLinks collection={collection} record={record} />
      </header>

      <div className="case-bar">
        {editable && (
          <>
            <button type="button" className="primary" onClick={() => void editor.save()} disabled={snap.status === "saving"} aria-keyshortcuts="Control+S Meta+S">
              Save
            </button>
            <span role="status" aria-live="polite" className={`save-status save-${snap.status}`}>
              {STATUS_TEXT[snap.status]}
            </span>
          </>
        )}
        <span role="status" aria-live="polite" className="case-notices">
          {snap.updatedBy && <span className="notice notice-updated">Updated by {snap.updatedBy}</span>}
          {snap.merged && (
            <span className="notice notice-merged">
              Merged with changes by {snap.merged.by}
              {snap.merged.clashes.length > 0 &&
                `: both versions kept in ${snap.merged.clashes.map((f) => FIELD_LABELS[f]).join(", ")} (review them)`}
            </span>
          )}
          {snap.restored && snap.status !== "saved" && <span className="notice">Your unsaved changes were restored.</span>}
          {snap.deletedBy && <span className="notice notice-deleted">Deleted by {snap.deletedBy}</span>}
        </span>
        {collection === "investigations" && responder && !snap.deletedBy && (
          <button type="button" onClick={() => makeIncident.mutate()} disabled={makeIncident.isPending}>
            Make incident
          </button>
        )}
        <PresenceList people={people} />
      </div>
      {snap.message && (
        <p className="form-error" role="alert">
          {snap.message}
        </p>
      )}
      {makeIncident.error && <ErrorState error={makeIncident.error} />}

      {editable ? (
        <form className="case-form" aria-label={`Edit ${SINGULAR[collection]}`} onSubmit={onSubmit} onFocus={onFocus} onBlur={onBlur}>
          <div className="case-main">
            <div className="field field-summary">
              <label htmlFor="case-summary">Summary</label>
              <input
                id="case-summary"
                value={local.summary}
                maxLength={1024}
                required
                autoComplete="off"
                onChange={(event) => editor.edit("summary", event.target.value)}
              />
              {conflict("summary")}
            </div>
            <div className="field field-phase">
              <label htmlFor="case-phase">Phase</label>
              <select id="case-phase" value={local.phase} onChange={(event) => editor.edit("phase", event.target.value as Phase)}>
                {local.phase === "" && <option value="">—</option>}
                {PHASES.map((phase) => (
                  <option key={phase} value={phase}>
                    {phase}
                  </option>
                ))}
              </select>
              {conflict("phase")}
            </div>
            <div className="field field-description">
              <label htmlFor="case-description">Description</label>
              <textarea id="case-description" rows={8} value={local.description} onChange={(event) => editor.edit("description", event.target.value)} />
              {conflict("description")}
            </div>
          </div>
          <fieldset className="case-dates-edit">
            <legend>Dates</legend>
            {FORM_DATE_FIELDS.map((field) => (
              <div className="field" key={field}>
                <label htmlFor={`case-${field}`}>{DATE_LABELS[field]}</label>
                <DateTimeInput id={`case-${field}`} value={local[field]} onChange={(value) => editor.edit(field, value)} />
                {conflict(field)}
              </div>
            ))}
          </fieldset>
          <VerisPicker tags={local.tags} onChange={set("tags")} />
          {conflict("tags")}
          <Tabs label={`${TITLE[collection]} details`} tabs={tabs} selected={shownTab} onSelect={selectTab}>
            {fields.includes(shownTab as Field) && conflict(shownTab as Field)}
            {panel}
          </Tabs>
        </form>
      ) : (
        <div className="case-form case-read">
          <dl className="case-facts">
            <div className="case-fact case-fact-wide">
              <dt>Summary</dt>
              <dd>
                <Decorated text={local.summary} />
              </dd>
            </div>
            <div className="case-fact">
              <dt>Phase</dt>
              <dd>{local.phase || "—"}</dd>
            </div>
            <div className="case-fact case-fact-wide">
              <dt>Description</dt>
              <dd className="pre-wrap">{local.description ? <Decorated text={local.description} /> : <span className="muted">—</span>}</dd>
            </div>
            {FORM_DATE_FIELDS.map((field) => (
              <div key={field} className="case-fact">
                <dt>{DATE_LABELS[field]}</dt>
                <dd>
                  <Time value={local[field]} />
                </dd>
              </div>
            ))}
          </dl>
          <VerisPicker tags={local.tags} />
          <Tabs label={`${TITLE[collection]} details`} tabs={tabs} selected={shownTab} onSelect={selectTab}>
            <ReadOnlyPanel tab={shownTab} collection={collection} id={id} form={local} />
          </Tabs>
        </div>
      )}
    </section>
  );
}

function ReadOnlyPanel({ tab, collection, id, form }: { tab: string; collection: CaseCollection; id: string; form: CaseForm }) {
  switch (tab) {
    case "theories":
      return <TheoriesList items={form.theories} />;
    case "timestamps":
      return <TimestampsList items={form.timestamps} />;
    case "mitigations":
      return <MitigationsList items={form.mitigations} />;
    case "lessons":
      return <LessonsList items={form.lessons} me="" />;
    case "notes":
      return <NotesList items={form.notes} me="" />;
    case "indicators":
      return <IndicatorsList items={form.indicators} />;
    case "evidence":
      return <EvidenceList items={form.evidence} />;
    case "timeline":
      return <TimelineFields value={form.timeline} />;
    case "history":
      return <HistoryPanel collection={collection} id={id} />;
    default:
      return <ReferencesList items={form.references} />;
  }
}

/** A field's server value, as text, for the conflict notice. */
function showValue(field: Field, value: unknown, zone: string): string {
  if (typeof value === "string") {
    if ((FORM_DATE_FIELDS as readonly string[]).includes(field)) return value ? formatTime(value, zone) : "(empty)";
    return value || "(empty)";
  }
  if (Array.isArray(value)) {
    const items = value.map((item) =>
      typeof item === "string" ? item : String((item as Record<string, unknown>).summary ?? (item as Record<string, unknown>).value ?? ""),
    );
    return items.length ? items.join("; ") : "(none)";
  }
  if (value && typeof value === "object") {
    const timeline = value as Record<string, string>;
    return `${timeline.dateBegin ? formatTime(timeline.dateBegin, zone) : "…"} – ${timeline.dateEnd ? formatTime(timeline.dateEnd, zone) : "…"}`;
  }
  return String(value);
}

/** A field changed here and by someone else since: theirs, and what to do about it. */
function Conflict({ field, snap, editor }: { field: Field; snap: EditorSnapshot; editor: CaseEditor }) {
  const zone = useTimeZone();
  if (!snap.conflicts.includes(field)) return null;
  const label = FIELD_LABELS[field];
  return (
    <div className="conflict" role="note">
      <p>
        <strong>{snap.state.modifiedBy || "Someone"} also changed {label}.</strong> Theirs:
      </p>
      <p className="conflict-theirs pre-wrap">{showValue(field, snap.state.server[field], zone)}</p>
      <p className="muted">Saving merges both versions; nothing is lost.</p>
      <div className="form-actions">
        <button type="button" onClick={() => editor.mergeNow(field)}>
          Merge now<span className="case-vh">: {label}</span>
        </button>
        <button type="button" onClick={() => editor.useTheirs(field)}>
          Use theirs<span className="case-vh">: {label}</span>
        </button>
      </div>
    </div>
  );
}

/** Links between records: the incident made of an investigation and back, escalated alerts. */
function CaseLinks({ collection, record }: { collection: CaseCollection; record: CaseRecord }) {
  const alerts = record.alerts ?? [];
  const alertRefs = new Set(alerts);
  // Escalated alerts are also in the references; list each alert once.
  for (const reference of record.references ?? []) {
    const match = /^\/alert\/([A-Za-z0-9._~-]+)$/.exec(reference.trim());
    if (match) alertRefs.add(match[1]!);
  }
  if (!record.incident && !record.investigation && alertRefs.size === 0) return null;
  return (
    <ul className="case-links">
      {collection === "investigations" && record.incident && (
        <li>
          Made into incident <LinkedRecord collection="incidents" id={record.incident} />
        </li>
      )}
      {collection === "incidents" && record.investigation && (
        <li>
          Made from investigation <LinkedRecord collection="investigations" id={record.investigation} />
        </li>
      )}
      {alertRefs.size > 0 && (
        <li>
          Escalated {alertRefs.size === 1 ? "alert" : "alerts"}:{" "}
          {[...alertRefs].map((alertId, n) => (
            <span key={alertId}>
              {n > 0 && ", "}
              <Reference text={`/alert/${alertId}`} />
            </span>
          ))}
        </li>
      )}
    </ul>
  );
}

function LinkedRecord({ collection, id }: { collection: CaseCollection; id: string }) {
  const api = useApi();
  const query = useQuery({
    queryKey: ["record", collection, id],
    queryFn: ({ signal }) => api.get<CaseRecord>(`/${collection}/${enc(id)}`, undefined, signal),
    retry: false,
  });
  return <Link to={caseEditPath(collection, id)}>{query.data?.summary || id}</Link>;
}

/** Who changed what when (`GET /api/history/...`), newest first. */
function HistoryPanel({ collection, id }: { collection: CaseCollection; id: string }) {
  const api = useApi();
  // Under the record's key: the change feed refreshes it with the record.
  const query = useQuery({
    queryKey: ["record", collection, id, "history"],
    queryFn: ({ signal }) => api.get<History>(`/history/${collection}/${enc(id)}`, undefined, signal),
  });
  const zone = useTimeZone();
  if (!query.data) return <QueryState what="the history" query={query} />;
  const entries = historyEntries(query.data.changes, (iso) => formatTime(iso, zone));
  if (!entries.length) return <p className="muted">No history.</p>;
  return (
    <ol className="case-history">
      {entries.map((entry) => (
        <li key={entry.seq}>
          <div className="history-head">
            <Time value={entry.at} /> <strong>{entry.by}</strong> {entry.kind} <span className="muted">(version {entry.version})</span>
          </div>
          {entry.lines.length > 0 && entry.kind !== "deleted" && (
            <ul className="history-lines">
              {entry.lines.map((line, n) => (
                <li key={n}>{line}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

/** `/incident/new`, `/investigation/new`: Summary, Description, Phase; then the editor. */
export function CaseNew({ collection }: { collection: CaseCollection }) {
  const api = useApi();
  const navigate = useNavigate();
  const identity = useIdentity();
  const responder = useAllowed("responder");
  const [summary, setSummary] = useState("");
  const [description, setDescription] = useState("");
  const [phase, setPhase] = useState<Phase>("Identification");
  const create = useMutation({
    mutationFn: () => api.post<CaseRecord>(`/${collection}`, { summary, description, phase }),
    onSuccess: (record) => void navigate(caseEditPath(collection, record.id), { replace: true }),
  });
  const one = SINGULAR[collection];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (summary.trim()) create.mutate();
  };
  return (
    <section className="case-page case-new">
      <h1>New {one}</h1>
      {!identity ? (
        <Loading what="your role" />
      ) : !responder ? (
        <p role="alert">Only responders may open {one}s.</p>
      ) : (
        <form className="case-new-form" onSubmit={submit} aria-label={`New ${one}`}>
          <div className="field">
            <label htmlFor="new-summary">Summary</label>
            <input id="new-summary" value={summary} required maxLength={1024} autoComplete="off" onChange={(event) => setSummary(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-phase">Phase</label>
            <select id="new-phase" value={phase} onChange={(event) => setPhase(event.target.value as Phase)}>
              {PHASES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="new-description">Description</label>
            <textarea id="new-description" rows={6} value={description} onChange={(event) => setDescription(event.target.value)} />
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={create.isPending || summary.trim() === ""}>
              Create {one}
            </button>
            <Link className="button" to={`/${collection}`}>
              Cancel
            </Link>
          </div>
          {create.error && (
            <p className="form-error" role="alert">
              {describeError(create.error)}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
