/**
 * `/incidents`, `/investigations` (MozDef §6): the records, newest first, searched (`q` in
 * summary, description, creator) and filtered (phase, creator, tag), paged by keyset cursors;
 * all of it in the URL. Responders open new ones; a record's creator may delete it.
 * The change feed refreshes the list (its query key is ["list", collection, ...]).
 */
import { useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useAllowed, useApi, useIdentity, usePreferences } from "../services";
import { ApiError } from "../api/client";
import { PHASES, type CaseRecord, type RecordPage } from "../api/types";
import { firstPageParams, nextPageParams, pageNumber, pagerState, previousPageParams } from "../lib/pager";
import { caseEditPath } from "../lib/caseLinks";
import { tokenize } from "../lib/decorate";
import type { CaseCollection } from "../lib/caseForm";
import { describeError, Empty, QueryState } from "../components/States";
import { Time } from "../components/Time";
import { ValueMenu } from "../components/ValueMenu";
import { Modal } from "../components/Modal";
import "./CaseEdit.css";

const SINGULAR: Record<CaseCollection, string> = { incidents: "incident", investigations: "investigation" };
const TITLE: Record<CaseCollection, string> = { incidents: "Incidents", investigations: "Investigations" };
const FILTERS = ["q", "phase", "creator", "tags"] as const;

/** A summary: the link to the editor, then a menu for each address in it. */
function SummaryCell({ collection, record }: { collection: CaseCollection; record: CaseRecord }) {
  const ips = [...new Set(tokenize(record.summary ?? "").flatMap((token) => (token.kind === "ip" ? [token.value] : [])))];
  return (
    <>
      <Link to={caseEditPath(collection, record.id)}>{record.summary || "(no summary)"}</Link>
      {ips.length > 0 && (
        <span className="summary-ips">
          {ips.map((ip) => (
            <ValueMenu key={ip} ip={ip} />
          ))}
        </span>
      )}
    </>
  );
}

function deleteError(error: unknown, one: string): string {
  if (error instanceof ApiError && error.status === 403) return `Only the creator of this ${one} may delete it.`;
  if (error instanceof ApiError && error.status === 409) return `The ${one} changed meanwhile: look at it again, then delete it.`;
  return `Not deleted: ${describeError(error)}`;
}

export function CaseList({ collection }: { collection: CaseCollection }) {
  const api = useApi();
  const client = useQueryClient();
  const responder = useAllowed("responder");
  const me = useIdentity()?.email;
  const { pageSize } = usePreferences();
  const [params, setParams] = useSearchParams();
  const one = SINGULAR[collection];
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ""])) as Record<(typeof FILTERS)[number], string>;
  const { cursor } = pagerState(params);

  const query = useQuery({
    queryKey: ["list", collection, { ...filters, cursor: cursor ?? "", limit: pageSize }],
    queryFn: ({ signal }) =>
      api.get<RecordPage<CaseRecord>>(`/${collection}`, { ...filters, cursor, limit: pageSize }, signal),
    placeholderData: keepPreviousData,
  });

  // The text boxes follow the URL (back, forward, links) and update it after a pause.
  const [text, setText] = useState({ q: filters.q, creator: filters.creator });
  const [seen, setSeen] = useState({ q: filters.q, creator: filters.creator });
  if (seen.q !== filters.q || seen.creator !== filters.creator) {
    setSeen({ q: filters.q, creator: filters.creator });
    setText({ q: filters.q, creator: filters.creator });
  }
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const setFilter = (name: (typeof FILTERS)[number], value: string) => {
    setParams((prev) => {
      const next = firstPageParams(prev);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  };
  const typed = (name: "q" | "creator", value: string) => {
    setText((prev) => ({ ...prev, [name]: value }));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setFilter(name, value.trim()), 400);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (timer.current) clearTimeout(timer.current);
    setParams((prev) => {
      const next = firstPageParams(prev);
      for (const name of ["q", "creator"] as const) {
        const value = text[name].trim();
        if (value) next.set(name, value);
        else next.delete(name);
      }
      return next;
    });
  };

  const [confirm, setConfirm] = useState<CaseRecord | null>(null);
  const remove = useMutation({
    mutationFn: (record: CaseRecord) => api.delete(`/${collection}/${encodeURIComponent(record.id)}`, { version: record.version }),
    onSuccess: () => {
      setConfirm(null);
      void client.invalidateQueries({ queryKey: ["list", collection] });
    },
  });

  const records = query.data?.records ?? [];
  const filtered = FILTERS.some((name) => filters[name]);
  const page = pageNumber(params);

  return (
    <section className="case-list-page">
      <div className="page-head">
        <h1 id="case-list-title">{TITLE[collection]}</h1>
        {responder && (
          <Link className="button primary" to={`/${one}/new`}>
            New {one}
          </Link>
        )}
        <Link className="button" to={`/${collection}/veris`}>
          VERIS statistics
        </Link>
      </div>

      <form className="toolbar" role="search" aria-label={`Filter ${collection}`} onSubmit={submit}>
        <div className="field">
          <label htmlFor="case-q">Search {collection}</label>
          <input id="case-q" type="search" value={text.q} placeholder="summary, description, creator" onChange={(event) => typed("q", event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="case-phase-filter">Phase</label>
          <select id="case-phase-filter" value={filters.phase} onChange={(event) => setFilter("phase", event.target.value)}>
            <option value="">All phases</option>
            {PHASES.map((phase) => (
              <option key={phase} value={phase}>
                {phase}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="case-creator">Creator</label>
          <input id="case-creator" type="search" value={text.creator} placeholder="email" onChange={(event) => typed("creator", event.target.value)} />
        </div>
        {me && (
          <button type="button" onClick={() => setFilter("creator", filters.creator === me ? "" : me)} aria-pressed={filters.creator === me}>
            Mine
          </button>
        )}
        <button type="submit">Search</button>
        {filters.tags && (
          <span className="chip">
            <span>Tag: {filters.tags}</span>
            <button type="button" className="chip-remove" onClick={() => setFilter("tags", "")}>
              <span aria-hidden="true">×</span>
              <span className="case-vh">Clear the tag filter</span>
            </button>
          </span>
        )}
        {filtered && (
          <button type="button" className="link" onClick={() => setParams(new URLSearchParams())}>
            Clear filters
          </button>
        )}
      </form>

      {remove.error && !confirm && (
        <p className="form-error" role="alert">
          {deleteError(remove.error, one)}
        </p>
      )}

      {!query.data ? (
        <QueryState what={collection} query={query} />
      ) : records.length === 0 ? (
        <Empty>
          {filtered ? `No ${collection} match these filters.` : `No ${collection} yet.`}
          {filtered && (
            <button type="button" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </Empty>
      ) : (
        <div className="table-wrap">
          {query.error && <QueryState what={collection} query={query} />}
          <table className="data case-table" aria-labelledby="case-list-title">
            <thead>
              <tr>
                <th scope="col">Summary</th>
                <th scope="col">Phase</th>
                <th scope="col">Opened</th>
                <th scope="col">Creator</th>
                <th scope="col">Tags</th>
                {responder && (
                  <th scope="col">
                    <span className="case-vh">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr key={record.id}>
                  <td className="summary-cell">
                    <SummaryCell collection={collection} record={record} />
                  </td>
                  <td className="nowrap">{record.phase}</td>
                  <td className="nowrap">
                    <Time value={record.dateOpened} />
                  </td>
                  <td>{record.creator}</td>
                  <td>
                    {(record.tags ?? []).length > 0 && (
                      <ul className="tag-list">
                        {(record.tags ?? []).map((tag) => (
                          <li key={tag}>
                            <Link className="tag" to={`/${collection}?${new URLSearchParams({ tags: tag }).toString()}`}>
                              {tag}
                            </Link>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  {responder && (
                    <td className="nowrap">
                      {record.creator === me && (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => {
                            remove.reset();
                            setConfirm(record);
                          }}
                        >
                          Delete<span className="case-vh"> {`${one} ${record.summary}`}</span>
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {query.data && (page > 1 || query.data.next) && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page <= 1} onClick={() => setParams(previousPageParams(params))}>
            Previous page
          </button>
          <span>Page {page}</span>
          <button type="button" disabled={!query.data.next} onClick={() => query.data?.next && setParams(nextPageParams(params, query.data.next))}>
            Next page
          </button>
          {page > 2 && (
            <button type="button" className="link" onClick={() => setParams(firstPageParams(params))}>
              First page
            </button>
          )}
        </nav>
      )}

      {confirm && (
        <Modal title={`Delete this ${one}?`} onClose={() => setConfirm(null)}>
          <p>
            “{confirm.summary}” will be deleted for everyone. Its history stays.
          </p>
          <div className="form-actions">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate(confirm)}>
              Delete
            </button>
            <button type="button" onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
          {remove.error && (
            <p className="form-error" role="alert">
              {deleteError(remove.error, one)}
            </p>
          )}
        </Modal>
      )}
    </section>
  );
}
