/**
 * The watchlist and the IP and FQDN blocklists (MozDef's /watchlist, /ipblocklist,
 * /fqdnblocklist and their forms at /watchitem/:value, /blockip/:value, /blockfqdn/:value):
 * a searchable, paged table, deletion for responders, the add form, the firewall feeds.
 */
import { useId, useState, type FormEvent } from "react";
import { useParams, useSearchParams } from "react-router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useAllowed, useApi } from "../services";
import { ApiError } from "../api/client";
import type { ListEntry, Preferences, RecordPage } from "../api/types";
import { ListEntryForm, type ListKind } from "../components/ListEntryForm";
import { Modal } from "../components/Modal";
import { Time } from "../components/Time";
import { Decorated } from "../components/Decorated";
import { Empty, ErrorState, QueryState, describeError } from "../components/States";
import { firstPageParams, nextPageParams, pageNumber, pagerState, previousPageParams } from "../lib/pager";
import { entryValue, isExpired } from "../lib/listEntries";
import { safeHttpUrl } from "../lib/links";
import "./ListPage.css";

const PAGES: Record<ListKind, { title: string; noun: string; column: string; add: string; feed: { path: string; label: string } }> = {
  watchlist: {
    title: "Watchlist",
    noun: "watchlist",
    column: "Term",
    add: "Watch a term",
    feed: { path: "/getwatchlist", label: "Active watched terms (JSON)" },
  },
  ipblocklist: {
    title: "IP blocklist",
    noun: "IP blocklist",
    column: "Address",
    add: "Block an address",
    feed: { path: "/ipblocklist/feed", label: "IP blocklist feed (text, one network a line)" },
  },
  fqdnblocklist: {
    title: "FQDN blocklist",
    noun: "FQDN blocklist",
    column: "Domain name",
    add: "Block a domain name",
    feed: { path: "/fqdnblocklist/feed", label: "FQDN blocklist feed (text, one name a line)" },
  },
};

function Reference({ text }: { text: string }) {
  const url = /^https?:\/\//i.test(text) ? safeHttpUrl(text) : null;
  if (url) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer">
        {text}
      </a>
    );
  }
  return <>{text}</>;
}

function DeleteDialog({ kind, entry, value, onClose }: { kind: ListKind; entry: ListEntry; value: string; onClose: (message?: string) => void }) {
  const api = useApi();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => api.delete(`/${kind}/${encodeURIComponent(entry.id)}`, { version: entry.version }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["list", kind] });
      onClose(`Deleted ${value}.`);
    },
    onError: (error) => {
      // Gone already, or changed since it was read: show the list as it is now.
      if (error instanceof ApiError && (error.status === 404 || error.status === 409)) {
        void client.invalidateQueries({ queryKey: ["list", kind] });
      }
    },
  });
  const conflict = mutation.error instanceof ApiError && mutation.error.status === 409;
  const gone = mutation.error instanceof ApiError && mutation.error.status === 404;
  return (
    <Modal title={`Delete ${value}?`} onClose={() => onClose()}>
      <p>
        Delete <strong className="mono">{value}</strong> from the {PAGES[kind].noun}?
        {kind !== "watchlist" && " It leaves the firewall feed at its next read."}
      </p>
      {mutation.error && (
        <p className="form-error" role="alert">
          {conflict
            ? "Someone changed this entry since it was read: the list is reloaded; check it and delete again."
            : gone
              ? "This entry is already gone."
              : describeError(mutation.error)}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="danger" onClick={() => mutation.mutate()} disabled={mutation.isPending || conflict || gone}>
          {mutation.isPending ? "Deleting…" : "Delete"}
        </button>
        <button type="button" onClick={() => onClose()}>
          {conflict || gone ? "Close" : "Cancel"}
        </button>
      </div>
    </Modal>
  );
}

export function ListPage({ kind }: { kind: ListKind }) {
  const api = useApi();
  const page = PAGES[kind];
  const { value: routeValue } = useParams();
  const [params, setParams] = useSearchParams();
  const responder = useAllowed("responder");
  // The page size is the user's: wait for the preferences rather than read a default page first.
  const preferences = useQuery({ queryKey: ["preferences"], queryFn: () => api.get<Preferences>("/preferences"), staleTime: 60_000 });
  const pageSize = preferences.data?.pageSize ?? 25;
  const q = params.get("q") ?? "";
  const { cursor } = pagerState(params);
  const [draft, setDraft] = useState(q);
  const [shownQ, setShownQ] = useState(q);
  if (shownQ !== q) {
    setShownQ(q);
    setDraft(q);
  }
  const [deleting, setDeleting] = useState<ListEntry | null>(null);
  const [message, setMessage] = useState("");
  const searchId = useId();

  const list = useQuery({
    queryKey: ["list", kind, { q, cursor: cursor ?? null, limit: pageSize }],
    queryFn: ({ signal }) => api.get<RecordPage<ListEntry>>(`/${kind}`, { q, cursor, limit: pageSize }, signal),
    placeholderData: keepPreviousData,
    enabled: !preferences.isPending,
  });
  // Expired entries stay in the list until the feed's next read deletes them: dimmed until then.
  const now = list.dataUpdatedAt;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = firstPageParams(params);
    if (draft.trim()) next.set("q", draft.trim());
    else next.delete("q");
    setParams(next);
  };

  const records = list.data?.records ?? [];
  const number = pageNumber(params);

  return (
    <section className={`list-page list-${kind}`}>
      <h1>{page.title}</h1>
      {responder && (
        <section className="list-add" aria-labelledby={`${searchId}-add`}>
          <h2 id={`${searchId}-add`}>{page.add}</h2>
          <ListEntryForm key={routeValue ?? ""} kind={kind} initial={routeValue ?? ""} />
        </section>
      )}

      <form className="toolbar list-search" role="search" aria-label={page.title} onSubmit={submit}>
        <div className="field">
          <label htmlFor={searchId}>Search {page.title}</label>
          <input id={searchId} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit">Search</button>
        {q && (
          <button type="button" onClick={() => setParams(firstPageParams(new URLSearchParams()))}>
            Clear search
          </button>
        )}
      </form>

      {message && (
        <p className="list-message" role="status">
          {message}
        </p>
      )}

      {!list.data && <QueryState what={`the ${page.noun}`} query={list} />}
      {list.data && list.error && <ErrorState error={list.error} retry={() => void list.refetch()} />}
      {list.data && records.length === 0 && (
        <Empty>
          {q ? (
            <span>
              No entry of the {page.noun} matches “{q}”{number > 1 ? " on this page" : ""}.
            </span>
          ) : number > 1 ? (
            <span>No more entries.</span>
          ) : (
            <span>The {page.noun} is empty.</span>
          )}
        </Empty>
      )}
      {records.length > 0 && (
        <div className={list.isPlaceholderData ? "table-wrap stale" : "table-wrap"}>
          <table className="data list-table" aria-label={page.title}>
            <thead>
              <tr>
                <th scope="col">{page.column}</th>
                <th scope="col">Added</th>
                <th scope="col">Expires</th>
                <th scope="col">Creator</th>
                <th scope="col">Comment</th>
                <th scope="col">Reference</th>
                {responder && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {records.map((entry) => {
                const value = entryValue(entry, kind);
                const expired = isExpired(entry, now);
                return (
                  <tr key={entry.id} className={expired ? "expired" : undefined}>
                    <td className="list-value">{kind === "ipblocklist" ? <Decorated text={value} /> : <span className="mono">{value}</span>}</td>
                    <td className="nowrap">
                      <Time value={entry.dateAdded} />
                    </td>
                    <td className="nowrap">
                      {entry.dateExpiring ? <Time value={entry.dateExpiring} /> : <span className="muted">never</span>}
                      {expired && <span className="badge expired-badge">expired</span>}
                    </td>
                    <td>{entry.creator}</td>
                    <td className="list-comment">
                      <Decorated text={entry.comment} />
                    </td>
                    <td>
                      <Reference text={entry.reference} />
                    </td>
                    {responder && (
                      <td>
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Delete ${value}`}
                          onClick={() => {
                            setMessage("");
                            setDeleting(entry);
                          }}
                        >
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {list.data && (number > 1 || list.data.next) && (
        <nav className="pager" aria-label="Pages">
          <button type="button" onClick={() => setParams(previousPageParams(params))} disabled={number <= 1}>
            Previous page
          </button>
          <span>Page {number}</span>
          <button type="button" onClick={() => list.data?.next && setParams(nextPageParams(params, list.data.next))} disabled={!list.data.next}>
            Next page
          </button>
          {number > 2 && (
            <button type="button" onClick={() => setParams(firstPageParams(params))}>
              First page
            </button>
          )}
        </nav>
      )}

      <section className="list-feeds" aria-labelledby={`${searchId}-feeds`}>
        <h2 id={`${searchId}-feeds`}>Feeds</h2>
        <ul>
          <li>
            <a href={`${api.base}${page.feed.path}`} target="_blank" rel="noopener noreferrer">
              {page.feed.label}
            </a>
          </li>
        </ul>
        <p className="muted">Reading a feed deletes the entries that have expired; it shows only the active ones.</p>
      </section>

      {deleting && (
        <DeleteDialog
          kind={kind}
          entry={deleting}
          value={entryValue(deleting, kind)}
          onClose={(done) => {
            setDeleting(null);
            if (done) setMessage(done);
          }}
        />
      )}
    </section>
  );
}
