/**
 * `/alert/:id` (MozDef §6): the alert as stored in the event store (`GET /api/alerts/{id}`)
 * with its triage copy (`GET /api/alerts/{id}/triage`): summary, time, severity, category,
 * tags, status and ack, the events it was raised on (`#events`), ack / status / escalation to an
 * investigation or an incident for responders, and the document in Dashboards when configured.
 */
import { useEffect, useId, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import type { AlertTriage, Hit } from "../api/types";
import { useAllowed, useApi, useApp } from "../services";
import { statusLabel } from "../lib/alertsView";
import { dashboardsDocLink, safeHttpUrl } from "../lib/links";
import { Decorated, Hostname } from "../components/Decorated";
import { Time } from "../components/Time";
import { JsonTree } from "../components/JsonTree";
import { Empty, ErrorState, Loading, describeError } from "../components/States";
import { StatusControl, TriageMessage, useTriage } from "../components/AlertTriage";
import "./AlertDetail.css";

const enc = encodeURIComponent;

/** How many events are listed before "Show all". */
const EVENTS_SHOWN = 100;

function retryUnlessMissing(count: number, error: unknown): boolean {
  if (error instanceof ApiError && [400, 401, 403, 404].includes(error.status)) return false;
  return count < 2;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

function object(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** One of the alert's events as the alert stored it. */
interface EventRef {
  documentid: string;
  documentindex: string;
  documentsource: Record<string, unknown> | null;
}

function eventRefs(source: Record<string, unknown> | null): EventRef[] {
  const events = source?.events;
  if (!Array.isArray(events)) return [];
  return events.map((e) => {
    const o = object(e) ?? {};
    return {
      documentid: text(o.documentid),
      documentindex: text(o.documentindex),
      documentsource: object(o.documentsource),
    };
  });
}

const SEVERITY_CLASS = /^[A-Z]+$/;

function EventRows({ event, index, dashboardsUrl }: { event: EventRef; index: number; dashboardsUrl: string | null }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const detailId = useId();
  const fetched = useQuery({
    queryKey: ["event", event.documentid],
    queryFn: ({ signal }) => api.get<Hit>(`/events/${enc(event.documentid)}`, undefined, signal),
    enabled: event.documentsource === null && event.documentid !== "",
    staleTime: Infinity,
    retry: retryUnlessMissing,
  });
  const source = event.documentsource ?? fetched.data?._source ?? null;
  const details = object(source?.details);
  const dashboards = dashboardsDocLink(dashboardsUrl, event.documentindex || fetched.data?._index, event.documentid);
  const name = event.documentid || `#${index + 1}`;
  let summary;
  if (source) {
    summary = (
      <>
        <Decorated text={text(source.summary)} />
        {details && text(details.sourceipaddress) && !text(source.summary).includes(text(details.sourceipaddress)) && (
          <span className="event-ip">
            {" "}
            (source <Decorated text={text(details.sourceipaddress)} />)
          </span>
        )}
      </>
    );
  } else if (fetched.error) {
    summary = <span className="form-error">Event {name} could not be read: {describeError(fetched.error)}</span>;
  } else if (fetched.isFetching) {
    summary = <span className="muted">Loading event {name}…</span>;
  } else {
    summary = <span className="muted">The alert does not say which event this is.</span>;
  }
  return (
    <>
      <tr>
        <td className="nowrap">
          <Time value={text(source?.utctimestamp) || null} />
        </td>
        <td>{text(source?.category)}</td>
        <td>
          <Hostname name={text(source?.hostname)} />
        </td>
        <td className="event-summary">{summary}</td>
        <td>
          <div className="event-actions">
            <button
              type="button"
              className="disclosure"
              aria-expanded={open}
              aria-controls={open ? detailId : undefined}
              disabled={!source}
              onClick={() => setOpen(!open)}
            >
              <span aria-hidden="true">{open ? "▾ " : "▸ "}</span>Show event
            </button>
            {dashboards && (
              <a href={dashboards} target="_blank" rel="noopener noreferrer">
                Open event in Dashboards
              </a>
            )}
          </div>
        </td>
      </tr>
      {open && source && (
        <tr id={detailId} className="event-detail">
          <td colSpan={5}>
            <JsonTree value={source} label={`Event ${name}`} />
          </td>
        </tr>
      )}
    </>
  );
}

function EventsSection({ events, dashboardsUrl }: { events: EventRef[]; dashboardsUrl: string | null }) {
  const [all, setAll] = useState(false);
  const shown = all ? events : events.slice(0, EVENTS_SHOWN);
  return (
    <section id="events" className="alert-events" aria-labelledby="alert-events-heading" tabIndex={-1}>
      <h2 id="alert-events-heading">
        Events <span className="muted">({events.length.toLocaleString("en-US")})</span>
      </h2>
      {events.length === 0 ? (
        <Empty>This alert lists no events.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data events-table">
            <caption className="visually-hidden">The events of this alert</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Category</th>
                <th scope="col">Host</th>
                <th scope="col">Summary</th>
                <th scope="col">
                  <span className="visually-hidden">Event document</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((event, i) => (
                <EventRows key={event.documentid || `#${i}`} event={event} index={i} dashboardsUrl={dashboardsUrl} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!all && events.length > EVENTS_SHOWN && (
        <p>
          <button type="button" onClick={() => setAll(true)}>
            Show all {events.length.toLocaleString("en-US")} events
          </button>
        </p>
      )}
    </section>
  );
}

function Escalation({ id, alert, responder }: { id: string; alert: AlertTriage | undefined; responder: boolean }) {
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const escalate = useMutation({
    mutationFn: async (to: "investigation" | "incident") => {
      const record = await api.post<{ id: string }>(`/alerts/${enc(id)}/escalate`, { to });
      // An alert escalated meanwhile answers the record it went to: its triage copy says which.
      let collection: "investigations" | "incidents" = to === "investigation" ? "investigations" : "incidents";
      try {
        const copy = await api.get<AlertTriage>(`/alerts/${enc(id)}/triage`);
        client.setQueryData(["record", "alerts", id], copy);
        if (copy.escalated?.id === record.id) collection = copy.escalated.collection;
      } catch {
        // The record was made; where it is comes from the request.
      }
      return { id: record.id, collection };
    },
    onSuccess: ({ id: recordId, collection }) => {
      void client.invalidateQueries({ queryKey: ["list", "alerts"] });
      void client.invalidateQueries({ queryKey: ["list", collection] });
      void navigate(`/${collection === "investigations" ? "investigation" : "incident"}/${enc(recordId)}/edit`);
    },
  });
  const link = alert?.escalated;
  if (link?.id) {
    const kind = link.collection === "investigations" ? "investigation" : "incident";
    return (
      <p className="escalated-link">
        Escalated to an {kind}: <Link to={`/${kind}/${enc(link.id)}/edit`}>{`open the ${kind}`}</Link>
      </p>
    );
  }
  if (!responder || !alert) return null;
  return (
    <>
      <button type="button" disabled={escalate.isPending} onClick={() => escalate.mutate("investigation")}>
        Escalate to investigation
      </button>
      <button type="button" disabled={escalate.isPending} onClick={() => escalate.mutate("incident")}>
        Escalate to incident
      </button>
      {escalate.error && (
        <p className="form-error" role="alert">
          Escalation failed: {describeError(escalate.error)}
        </p>
      )}
    </>
  );
}

export function AlertDetail() {
  const { id = "" } = useParams();
  const api = useApi();
  const { config } = useApp();
  const responder = useAllowed("responder");
  const location = useLocation();
  const doc = useQuery({
    queryKey: ["alertdoc", id],
    queryFn: ({ signal }) => api.get<Hit>(`/alerts/${enc(id)}`, undefined, signal),
    staleTime: 5 * 60_000,
    retry: retryUnlessMissing,
  });
  const copy = useQuery({
    queryKey: ["record", "alerts", id],
    queryFn: ({ signal }) => api.get<AlertTriage>(`/alerts/${enc(id)}/triage`, undefined, signal),
    retry: retryUnlessMissing,
  });
  const triage = useTriage();
  const loaded = Boolean(doc.data || doc.error);

  // `/alert/<id>#events`: go to the events once they are there.
  useEffect(() => {
    if (loaded && location.hash === "#events") document.getElementById("events")?.scrollIntoView({ block: "start" });
  }, [loaded, location.hash]);

  if (doc.isPending && copy.isPending) {
    return (
      <section className="alert-detail">
        <h1>Alert</h1>
        <Loading what="the alert" />
      </section>
    );
  }
  const missing = (q: { error: unknown }) => q.error instanceof ApiError && q.error.status === 404;
  if (missing(doc) && (missing(copy) || !copy.data)) {
    return (
      <section className="alert-detail">
        <h1>Alert not found</h1>
        <ErrorState error={doc.error} />
        <p>
          <Link to="/alerts">Back to the alerts</Link>
        </p>
      </section>
    );
  }

  const source = doc.data ? object(doc.data._source) : null;
  const alert = copy.data;
  const summary = alert?.summary ?? text(source?.summary);
  const severity = alert?.severity ?? text(source?.severity);
  const category = alert?.category ?? text(source?.category);
  const time = alert?.utctimestamp ?? text(source?.utctimestamp);
  const tagsRaw = alert?.tags ?? source?.tags;
  const tags = Array.isArray(tagsRaw) ? tagsRaw.map(text).filter(Boolean) : [];
  const reference = safeHttpUrl(text(source?.url));
  const dashboards = dashboardsDocLink(
    config.dashboardsUrl,
    alert?.esmetadata?.index ?? doc.data?._index,
    alert?.esmetadata?.id ?? doc.data?._id ?? id,
  );
  const events = eventRefs(source);
  const rest = source ? Object.fromEntries(Object.entries(source).filter(([k]) => k !== "events")) : null;
  const busy = triage.busy.has(id);

  return (
    <article className="alert-detail">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/alerts">Alerts</Link> <span aria-hidden="true">›</span> <span className="muted">Alert {id}</span>
      </nav>
      <h1 className="alert-title">{summary ? <Decorated text={summary} /> : `Alert ${id}`}</h1>

      <dl className="alert-facts">
        <div>
          <dt>Time</dt>
          <dd>
            <Time value={time || null} />
          </dd>
        </div>
        <div>
          <dt>Severity</dt>
          <dd className={`sev sev-${SEVERITY_CLASS.test(severity) ? severity : "other"}`}>{severity || "—"}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{category || "—"}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>
            {tags.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul className="tag-list">
                {tags.map((t) => (
                  <li key={t} className="badge">
                    {t}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{alert ? statusLabel(alert.status) : <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd>
            {alert?.acknowledged ? (
              <>
                by {alert.acknowledgedby ?? "someone"} at <Time value={alert.acknowledged} />
              </>
            ) : (
              <span className="muted">no</span>
            )}
          </dd>
        </div>
        {alert?.identityConfidence && (
          <div>
            <dt>Identity confidence</dt>
            <dd>{alert.identityConfidence}</dd>
          </div>
        )}
        {alert?.response && (
          <div className="fact-wide">
            <dt>Response</dt>
            <dd className="pre-wrap">{alert.response}</dd>
          </div>
        )}
        {reference && (
          <div className="fact-wide">
            <dt>Reference</dt>
            <dd>
              <a href={reference} target="_blank" rel="noopener noreferrer">
                {reference}
              </a>
            </dd>
          </div>
        )}
      </dl>

      {Boolean(copy.error) && !alert && <ErrorState error={copy.error} retry={() => void copy.refetch()} />}
      <TriageMessage triage={triage} />
      <div className="alert-actions" role="group" aria-label="Alert actions">
        {alert && responder && (
          <>
            <StatusControl alert={alert} actions={triage.actions} busy={busy} responder={responder} />
            {alert.acknowledged ? (
              <button type="button" disabled={busy} onClick={() => triage.actions.unack(alert)}>
                Unacknowledge
              </button>
            ) : (
              <button type="button" className="primary" disabled={busy} onClick={() => triage.actions.ack(alert)}>
                Acknowledge
              </button>
            )}
          </>
        )}
        <Escalation id={id} alert={alert} responder={responder} />
        {dashboards && (
          <a className="button" href={dashboards} target="_blank" rel="noopener noreferrer">
            Open in Dashboards
          </a>
        )}
      </div>

      {doc.data ? (
        <EventsSection events={events} dashboardsUrl={config.dashboardsUrl} />
      ) : (
        <section id="events" className="alert-events" aria-labelledby="alert-events-heading" tabIndex={-1}>
          <h2 id="alert-events-heading">Events</h2>
          {missing(doc) ? (
            <Empty>The alert's document is not in the event store (any more): its events cannot be shown.</Empty>
          ) : doc.error ? (
            <ErrorState error={doc.error} retry={() => void doc.refetch()} />
          ) : (
            <Loading what="the alert's events" />
          )}
        </section>
      )}

      {rest && (
        <details className="alert-document">
          <summary>Show the alert document</summary>
          <JsonTree value={rest} label={`Alert document ${id}`} />
        </details>
      )}
    </article>
  );
}
