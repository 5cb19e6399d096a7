/**
 * Event search (OpenSearch Dashboards' Discover is not there locally): a Lucene query over a
 * time window, the newest 100 events, the top values of a few fields to narrow by, and one
 * event's document in a side panel. The query, the window and the open event are in the URL.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi, useApp } from "../services";
import { ApiError } from "../api/client";
import type { Hit, SearchResults } from "../api/types";
import { Time } from "../components/Time";
import { Decorated, Hostname } from "../components/Decorated";
import { JsonTree } from "../components/JsonTree";
import { Empty, ErrorState, Loading, QueryState, describeError } from "../components/States";
import { markQueryError } from "../lib/queryError";
import {
  FACET_FIELDS,
  SEARCH_PERIODS,
  addClause,
  fieldClause,
  fieldText,
  parseMinutes,
  rangeLabel,
  widerPeriod,
} from "../lib/searchQuery";
import { dashboardsDocLink, dashboardsSearchLink } from "../lib/links";
import "./Search.css";

const SIZE = 100;

const FACET_LABELS: Record<string, string> = {
  category: "Category",
  hostname: "Hostname",
  "details.sourceipaddress": "Source address",
  tags: "Tags",
  source: "Source",
  "details.program": "Program",
};

const count = (n: number) => n.toLocaleString("en-US");

/** The query's error under the input: the message, and the query with a caret at the problem. */
function QueryError({ id, query, error }: { id: string; query: string; error: unknown }) {
  const text = error instanceof ApiError ? error.message : describeError(error);
  const marked = markQueryError(query, text);
  return (
    <div id={id} className="query-error" role="alert">
      {marked ? (
        <>
          <p>
            Invalid query string at position {marked.position} (line {marked.lineNumber}, column {marked.column}): {marked.message}
          </p>
          <pre className="query-caret">
            {marked.line}
            {"\n"}
            {marked.caret}
          </pre>
        </>
      ) : (
        <p>{text}</p>
      )}
    </div>
  );
}

function Facets({ results, onPick }: { results: SearchResults; onPick: (field: string, value: string) => void }) {
  const groups = FACET_FIELDS.map((field) => ({ field, terms: results.aggregations?.[field]?.terms ?? [] })).filter(
    (g) => g.terms.length > 0,
  );
  return (
    <aside className="facets" aria-labelledby="facets-title">
      <h2 id="facets-title">Top values</h2>
      {groups.length === 0 && <p className="muted">No field values in these events.</p>}
      {groups.map(({ field, terms }) => (
        <section key={field} className="facet">
          <h3>
            {FACET_LABELS[field] ?? field} <span className="muted mono">{field}</span>
          </h3>
          <ul>
            {terms.map((term) => {
              const clause = fieldClause(field, term.key);
              const shownKey = term.key === "" ? "(empty)" : term.key;
              return (
                <li key={term.key}>
                  <button
                    type="button"
                    className="facet-value"
                    title={`Add ${clause} to the query`}
                    aria-label={`Add ${field}: ${shownKey}, ${count(term.count)} ${term.count === 1 ? "event" : "events"}`}
                    onClick={() => onPick(field, term.key)}
                  >
                    <span className="facet-key">{shownKey}</span>{" "}
                    <span className="facet-count">{count(term.count)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </aside>
  );
}

function EventPanel({ id, hit, permalink, onClose }: { id: string; hit: Hit | undefined; permalink: string; onClose: () => void }) {
  const api = useApi();
  const { config } = useApp();
  const heading = useRef<HTMLHeadingElement>(null);
  const query = useQuery({
    queryKey: ["event", id],
    queryFn: ({ signal }) => api.get<Hit>(`/events/${encodeURIComponent(id)}`, undefined, signal),
    initialData: hit,
  });
  useEffect(() => {
    heading.current?.focus();
  }, [id]);
  const event = query.data;
  const dashboards = event ? dashboardsDocLink(config.dashboardsUrl, event._index, event._id) : null;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
    }
  };
  return (
    <aside className="event-panel" aria-labelledby="event-panel-title" onKeyDown={onKeyDown}>
      <header className="event-panel-header">
        <h2 id="event-panel-title" ref={heading} tabIndex={-1}>
          Event
        </h2>
        <button type="button" className="icon-button" aria-label="Close event" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="event-meta">
        <dt>Id</dt>
        <dd className="mono">{id}</dd>
        {event && (
          <>
            <dt>Index</dt>
            <dd className="mono">{event._index}</dd>
          </>
        )}
      </dl>
      <p className="event-links">
        <Link to={permalink}>Link to this event</Link>
        <button type="button" onClick={() => void query.refetch()} disabled={query.isFetching}>
          {query.isFetching ? "Reloading…" : "Reload event"}
        </button>
        {dashboards && (
          <a href={dashboards} target="_blank" rel="noopener noreferrer">
            Open event in Dashboards
          </a>
        )}
      </p>
      {query.error && <ErrorState error={query.error} retry={() => void query.refetch()} />}
      {event ? <JsonTree value={event._source} label={`Event ${id}`} /> : !query.error && <Loading what="the event" />}
    </aside>
  );
}

export function Search() {
  const api = useApi();
  const { config } = useApp();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const minutes = parseMinutes(params.get("minutes"));
  const eventId = params.get("event");

  // The form's draft follows the URL when it changes (back, forward, a facet, a link).
  const [draft, setDraft] = useState(q);
  const [draftMinutes, setDraftMinutes] = useState(minutes);
  const [shown, setShown] = useState({ q, minutes });
  if (shown.q !== q || shown.minutes !== minutes) {
    setShown({ q, minutes });
    setDraft(q);
    setDraftMinutes(minutes);
  }

  const search = useQuery({
    queryKey: ["search", q, minutes],
    queryFn: ({ signal }) =>
      api.request<SearchResults>("POST", "/search", {
        body: { query: q.trim() === "" ? null : q, minutes, size: SIZE, aggregations: [...FACET_FIELDS] },
        signal,
      }),
    placeholderData: keepPreviousData,
  });

  const opener = useRef<HTMLElement | null>(null);
  const ids = { help: useId(), error: useId(), query: useId(), range: useId() };

  const go = (next: { q?: string; minutes?: number; event?: string | null }) => {
    const nq = next.q ?? q;
    const nm = next.minutes ?? minutes;
    const ne = next.event === undefined ? eventId : next.event;
    if (nq === q && nm === minutes && ne === eventId) {
      void search.refetch();
      return;
    }
    const p = new URLSearchParams();
    if (nq) p.set("q", nq);
    p.set("minutes", String(nm));
    if (ne) p.set("event", ne);
    setParams(p);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    go({ q: draft.trim(), minutes: draftMinutes });
  };

  const pick = (field: string, value: string) => go({ q: addClause(q, fieldClause(field, value)) });

  const open = (id: string, from: HTMLElement) => {
    opener.current = from;
    go({ event: id });
  };
  const close = () => {
    go({ event: null });
    const back = opener.current;
    if (back?.isConnected) back.focus();
  };

  const badQuery = search.error instanceof ApiError && search.error.status === 400;
  const results = search.data;
  const hits = results?.hits ?? [];
  const total = results?.total ?? hits.length;
  const wider = widerPeriod(minutes);
  const dashboards = dashboardsSearchLink(config.dashboardsUrl, q, minutes);
  const periods = SEARCH_PERIODS.some((p) => p.minutes === draftMinutes)
    ? SEARCH_PERIODS
    : [...SEARCH_PERIODS, { label: rangeLabel(draftMinutes), minutes: draftMinutes }].sort((a, b) => a.minutes - b.minutes);
  const openHit = eventId ? hits.find((h) => h._id === eventId) : undefined;
  const permalink = eventId
    ? `/search?${new URLSearchParams({ ...(q ? { q } : {}), minutes: String(minutes), event: eventId }).toString()}`
    : "";

  return (
    <section className={eventId ? "search-page with-panel" : "search-page"}>
      <h1>Search events</h1>
      <form className="search-form" onSubmit={submit} role="search" aria-label="Events">
        <div className="field search-query">
          <label htmlFor={ids.query}>Query</label>
          <input
            id={ids.query}
            type="search"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder='category:syslog AND hostname:"bastion1"'
            spellCheck={false}
            autoComplete="off"
            aria-invalid={badQuery || undefined}
            aria-describedby={badQuery ? `${ids.error} ${ids.help}` : ids.help}
          />
          <span id={ids.help} className="muted hint">
            Lucene syntax: <code>field:value</code>, <code>"phrases"</code>, <code>AND</code>, <code>OR</code>,{" "}
            <code>NOT</code>, <code>*</code> wildcards; empty: every event.
          </span>
          {badQuery && <QueryError id={ids.error} query={q} error={search.error} />}
        </div>
        <div className="field">
          <label htmlFor={ids.range}>Time range</label>
          <select id={ids.range} value={draftMinutes} onChange={(e) => setDraftMinutes(Number(e.target.value))}>
            {periods.map((p) => (
              <option key={p.minutes} value={p.minutes}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field search-actions">
          <button type="submit" className="primary">
            Search
          </button>
          {dashboards && (
            <a href={dashboards} target="_blank" rel="noopener noreferrer">
              Open in Dashboards
            </a>
          )}
        </div>
      </form>

      {!results && !badQuery && <QueryState what="events" query={search} />}
      {results && search.error && !badQuery && <ErrorState error={search.error} retry={() => void search.refetch()} />}

      {results && (
        <div
          className={`search-results${hits.length === 0 ? " no-facets" : ""}${search.isPlaceholderData ? " stale" : ""}`}
          aria-busy={search.isFetching}
        >
          {hits.length > 0 && <Facets results={results} onPick={pick} />}
          <div className="search-hits">
            <p className="search-total" role="status">
              {count(total)} {total === 1 ? "event" : "events"}
              <span className="muted"> in the last {rangeLabel(minutes)}</span>
              {total > hits.length && hits.length > 0 && <span className="muted">, the newest {count(hits.length)} shown</span>}
              {search.isFetching && <span className="muted"> (searching…)</span>}
            </p>
            {hits.length === 0 ? (
              <Empty>
                <span>No events match in the last {rangeLabel(minutes)}.</span>
                {wider && (
                  <button type="button" onClick={() => go({ minutes: wider.minutes })}>
                    Widen to {wider.label}
                  </button>
                )}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="data events-table" aria-label="Events">
                  <thead>
                    <tr>
                      <th scope="col">
                        <span className="visually-hidden">Event</span>
                      </th>
                      <th scope="col">Time</th>
                      <th scope="col">Hostname</th>
                      <th scope="col">Category</th>
                      <th scope="col">Summary</th>
                    </tr>
                  </thead>
                  <tbody>
                    {hits.map((hit, i) => {
                      const source = hit._source;
                      const time = fieldText(source, "utctimestamp") || fieldText(source, "timestamp");
                      return (
                        <tr
                          key={`${hit._index}/${hit._id}`}
                          className={hit._id === eventId ? "selected" : undefined}
                          onClick={(e) => {
                            // A click on the row (not on its buttons or links) opens the event too.
                            const target = e.target as HTMLElement;
                            if (target.closest("button, a, input, [role=menu]")) return;
                            if (window.getSelection()?.toString()) return;
                            const button = e.currentTarget.querySelector<HTMLButtonElement>("button.event-open");
                            if (button) open(hit._id, button);
                          }}
                        >
                          <td>
                            <button
                              type="button"
                              className="event-open"
                              aria-label={`Open event ${i + 1}`}
                              aria-pressed={hit._id === eventId}
                              onClick={(e) => open(hit._id, e.currentTarget)}
                            >
                              Open
                            </button>
                          </td>
                          <td className="nowrap">{time ? <Time value={time} /> : <span className="muted">—</span>}</td>
                          <td>
                            <Hostname name={fieldText(source, "hostname")} />
                          </td>
                          <td>{fieldText(source, "category")}</td>
                          <td className="summary">
                            <Decorated text={fieldText(source, "summary")} />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </div>
      )}

      {eventId && <EventPanel key={eventId} id={eventId} hit={openHit} permalink={permalink} onClose={close} />}
    </section>
  );
}
