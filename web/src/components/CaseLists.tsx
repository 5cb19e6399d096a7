/**
 * The list fields of an incident or an investigation (references, theories, timestamps,
 * mitigations, lessons, notes, indicators, evidence) and the investigation's timeline: each
 * item editable, "Add …" and "Remove … N" buttons; text only for viewers.
 */
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { useTimeZone } from "../services";
import { fromLocalInput, toLocalInput } from "../lib/time";
import { referenceLink } from "../lib/caseLinks";
import {
  LIST_LABELS,
  MITIGATION_STATUSES,
  THEORY_STATUSES,
  type EvidenceItem,
  type IndicatorItem,
  type ListField,
  type MitigationItem,
  type NoteItem,
  type TheoryItem,
  type TimelineValue,
  type TimestampItem,
} from "../lib/caseForm";
import { Decorated } from "./Decorated";
import { Time } from "./Time";

/** A date and time in the user's zone (`datetime-local`), the value an RFC 3339 instant. */
export function DateTimeInput({
  id,
  label,
  value,
  onChange,
  autoFocus,
}: {
  id?: string;
  /** The accessible name when there is no <label for>. */
  label?: string;
  value: string;
  onChange: (value: string) => void;
  autoFocus?: boolean;
}) {
  const zone = useTimeZone();
  return (
    <input
      id={id}
      type="datetime-local"
      aria-label={label}
      value={toLocalInput(value, zone)}
      autoFocus={autoFocus}
      onChange={(event) => onChange(event.target.value ? (fromLocalInput(event.target.value, zone) ?? "") : "")}
    />
  );
}

/** A reference: a link to an escalated alert, an http(s) link, or text. */
export function Reference({ text }: { text: string }) {
  const link = referenceLink(text);
  if (link?.kind === "alert") return <Link to={link.to}>Alert {link.id}</Link>;
  if (link?.kind === "url")
    return (
      <a href={link.href} target="_blank" rel="noopener noreferrer">
        {text}
      </a>
    );
  return <Decorated text={text} />;
}

interface ItemListProps<T> {
  field: ListField;
  items: T[];
  onChange?: (items: T[]) => void;
  make: () => T;
  edit: (item: T, n: number, set: (item: T) => void, focus: boolean) => ReactNode;
  view: (item: T, n: number) => ReactNode;
}

function ItemList<T>({ field, items, onChange, make, edit, view }: ItemListProps<T>) {
  const [focusAt, setFocusAt] = useState<number | null>(null);
  const one = LIST_LABELS[field].one;
  const lower = one.toLowerCase();
  if (!onChange) {
    if (!items.length) return <p className="muted">No {LIST_LABELS[field].tab.toLowerCase()}.</p>;
    return (
      <ol className="case-items case-items-read">
        {items.map((item, n) => (
          <li key={n} className="case-item">
            {view(item, n)}
          </li>
        ))}
      </ol>
    );
  }
  return (
    <>
      {items.length > 0 ? (
        <ol className="case-items">
          {items.map((item, n) => (
            <li key={n} className="case-item">
              <div className="case-item-fields">
                {edit(item, n, (next) => onChange(items.map((x, i) => (i === n ? next : x))), n === focusAt)}
              </div>
              <button
                type="button"
                className="danger remove-item"
                onClick={() => {
                  setFocusAt(null);
                  onChange(items.filter((_, i) => i !== n));
                }}
              >
                Remove<span className="case-vh"> {`${lower} ${n + 1}`}</span>
              </button>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No {LIST_LABELS[field].tab.toLowerCase()} yet.</p>
      )}
      <button
        type="button"
        className="add-item"
        onClick={() => {
          setFocusAt(items.length);
          onChange([...items, make()]);
        }}
      >
        Add {lower}
      </button>
    </>
  );
}

function Select<T extends string>({ label, value, options, onChange }: { label: string; value: NoInfer<T> | ""; options: readonly T[]; onChange: (value: T | "") => void }) {
  return (
    <select aria-label={label} value={value} onChange={(event) => onChange(event.target.value as T | "")}>
      <option value="">—</option>
      {options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </select>
  );
}

function Byline({ by, date }: { by: string; date: string }) {
  if (!by && !date) return null;
  return (
    <span className="byline muted">
      {by}
      {by && date ? " · " : ""}
      {date && <Time value={date} />}
    </span>
  );
}

const nowIso = () => new Date().toISOString();

export function ReferencesList({ items, onChange }: { items: string[]; onChange?: (items: string[]) => void }) {
  return (
    <ItemList
      field="references"
      items={items}
      onChange={onChange}
      make={() => ""}
      view={(item) => <Reference text={item} />}
      edit={(item, n, set, focus) => (
        <>
          <input aria-label={`Reference ${n + 1}`} className="wide" value={item} autoFocus={focus} onChange={(event) => set(event.target.value)} />
          {referenceLink(item) && (
            <span className="item-link">
              <Reference text={item} />
            </span>
          )}
        </>
      )}
    />
  );
}

export function TheoriesList({ items, onChange }: { items: TheoryItem[]; onChange?: (items: TheoryItem[]) => void }) {
  return (
    <ItemList
      field="theories"
      items={items}
      onChange={onChange}
      make={(): TheoryItem => ({ summary: "", status: "unverified", evidence: "" })}
      view={(item) => (
        <>
          <strong>
            <Decorated text={item.summary} />
          </strong>{" "}
          {item.status && <span className="badge">{item.status}</span>}
          {item.evidence && (
            <p className="pre-wrap">
              <Decorated text={item.evidence} />
            </p>
          )}
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <input
            aria-label={`Theory ${n + 1}`}
            className="wide"
            placeholder="Theory"
            value={item.summary}
            autoFocus={focus}
            onChange={(event) => set({ ...item, summary: event.target.value })}
          />
          <Select label={`Theory ${n + 1} status`} value={item.status} options={THEORY_STATUSES} onChange={(status) => set({ ...item, status })} />
          <textarea
            aria-label={`Theory ${n + 1} evidence`}
            className="small-area"
            placeholder="Evidence"
            value={item.evidence}
            onChange={(event) => set({ ...item, evidence: event.target.value })}
          />
        </>
      )}
    />
  );
}

export function TimestampsList({ items, onChange }: { items: TimestampItem[]; onChange?: (items: TimestampItem[]) => void }) {
  return (
    <ItemList
      field="timestamps"
      items={items}
      onChange={onChange}
      make={() => ({ timestamp: nowIso(), description: "" })}
      view={(item) => (
        <>
          <Time value={item.timestamp} /> <Decorated text={item.description} />
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <DateTimeInput label={`Timestamp ${n + 1} time`} value={item.timestamp} onChange={(timestamp) => set({ ...item, timestamp })} />
          <input
            aria-label={`Timestamp ${n + 1} what happened`}
            className="wide"
            placeholder="What happened"
            value={item.description}
            autoFocus={focus}
            onChange={(event) => set({ ...item, description: event.target.value })}
          />
        </>
      )}
    />
  );
}

export function MitigationsList({ items, onChange }: { items: MitigationItem[]; onChange?: (items: MitigationItem[]) => void }) {
  return (
    <ItemList
      field="mitigations"
      items={items}
      onChange={onChange}
      make={(): MitigationItem => ({ summary: "", temporary: false, status: "planned" })}
      view={(item) => (
        <>
          <Decorated text={item.summary} /> {item.status && <span className="badge">{item.status}</span>}{" "}
          {item.temporary && <span className="badge">temporary</span>}
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <input
            aria-label={`Mitigation ${n + 1}`}
            className="wide"
            placeholder="Mitigation"
            value={item.summary}
            autoFocus={focus}
            onChange={(event) => set({ ...item, summary: event.target.value })}
          />
          <Select label={`Mitigation ${n + 1} status`} value={item.status} options={MITIGATION_STATUSES} onChange={(status) => set({ ...item, status })} />
          <label className="check">
            <input type="checkbox" checked={item.temporary} onChange={(event) => set({ ...item, temporary: event.target.checked })} />
            Temporary<span className="case-vh"> (mitigation {n + 1})</span>
          </label>
        </>
      )}
    />
  );
}

function NotesLike({ field, items, onChange, me }: { field: "notes" | "lessons"; items: NoteItem[]; onChange?: (items: NoteItem[]) => void; me: string }) {
  const one = LIST_LABELS[field].one;
  return (
    <ItemList
      field={field}
      items={items}
      onChange={onChange}
      make={() => ({ summary: "", date: nowIso(), by: me })}
      view={(item) => (
        <>
          <p className="pre-wrap note-text">
            <Decorated text={item.summary} />
          </p>
          <Byline by={item.by} date={item.date} />
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <textarea
            aria-label={`${one} ${n + 1}`}
            className="small-area"
            value={item.summary}
            autoFocus={focus}
            onChange={(event) => set({ ...item, summary: event.target.value })}
          />
          <Byline by={item.by} date={item.date} />
        </>
      )}
    />
  );
}

export function NotesList(props: { items: NoteItem[]; onChange?: (items: NoteItem[]) => void; me: string }) {
  return <NotesLike field="notes" {...props} />;
}

export function LessonsList(props: { items: NoteItem[]; onChange?: (items: NoteItem[]) => void; me: string }) {
  return <NotesLike field="lessons" {...props} />;
}

export function IndicatorsList({ items, onChange }: { items: IndicatorItem[]; onChange?: (items: IndicatorItem[]) => void }) {
  return (
    <ItemList
      field="indicators"
      items={items}
      onChange={onChange}
      make={() => ({ type: "", value: "", description: "" })}
      view={(item) => (
        <>
          {item.type && <span className="badge">{item.type}</span>} <Decorated text={item.value} />
          {item.description && (
            <span className="muted">
              {" "}
              — <Decorated text={item.description} />
            </span>
          )}
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <input
            aria-label={`Indicator ${n + 1} type`}
            className="narrow"
            placeholder="ip, domain, hash…"
            value={item.type}
            onChange={(event) => set({ ...item, type: event.target.value })}
          />
          <input
            aria-label={`Indicator ${n + 1} value`}
            className="wide"
            placeholder="Value"
            value={item.value}
            autoFocus={focus}
            onChange={(event) => set({ ...item, value: event.target.value })}
          />
          <input
            aria-label={`Indicator ${n + 1} details`}
            className="wide"
            placeholder="Description"
            value={item.description}
            onChange={(event) => set({ ...item, description: event.target.value })}
          />
        </>
      )}
    />
  );
}

export function EvidenceList({ items, onChange }: { items: EvidenceItem[]; onChange?: (items: EvidenceItem[]) => void }) {
  return (
    <ItemList
      field="evidence"
      items={items}
      onChange={onChange}
      make={() => ({ summary: "", location: "", date: nowIso() })}
      view={(item) => (
        <>
          <Decorated text={item.summary} />
          {item.location && (
            <span className="muted">
              {" "}
              at <Decorated text={item.location} />
            </span>
          )}{" "}
          {item.date && <Time value={item.date} />}
        </>
      )}
      edit={(item, n, set, focus) => (
        <>
          <input
            aria-label={`Evidence ${n + 1}`}
            className="wide"
            placeholder="Evidence"
            value={item.summary}
            autoFocus={focus}
            onChange={(event) => set({ ...item, summary: event.target.value })}
          />
          <input
            aria-label={`Evidence ${n + 1} location`}
            className="wide"
            placeholder="Where it is kept"
            value={item.location}
            onChange={(event) => set({ ...item, location: event.target.value })}
          />
          <DateTimeInput label={`Evidence ${n + 1} date`} value={item.date} onChange={(date) => set({ ...item, date })} />
        </>
      )}
    />
  );
}

export function TimelineFields({ value, onChange }: { value: TimelineValue; onChange?: (value: TimelineValue) => void }) {
  if (!onChange) {
    return (
      <dl className="case-dates">
        <dt>Timeline begin</dt>
        <dd>
          <Time value={value.dateBegin} />
        </dd>
        <dt>Timeline end</dt>
        <dd>
          <Time value={value.dateEnd} />
        </dd>
      </dl>
    );
  }
  return (
    <div className="case-dates-edit">
      <div className="field">
        <label htmlFor="timeline-begin">Timeline begin</label>
        <DateTimeInput id="timeline-begin" value={value.dateBegin} onChange={(dateBegin) => onChange({ ...value, dateBegin })} />
      </div>
      <div className="field">
        <label htmlFor="timeline-end">Timeline end</label>
        <DateTimeInput id="timeline-end" value={value.dateEnd} onChange={(dateEnd) => onChange({ ...value, dateEnd })} />
      </div>
    </div>
  );
}
