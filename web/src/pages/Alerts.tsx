/**
 * `/alerts` (MozDef §6): the triage table of the alerts, newest first, with MozDef's category
 * and severity rings and volume-over-time bars above it (cross-filtering: every chart and the
 * table read the same filters from the URL), live updates from the change feed, ack and status
 * per row for responders.
 */
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import type { AlertTriage, Change, Preferences, RecordPage } from "../api/types";
import { useAllowed, useApi, useApp, useChanges, usePreferences, useTimeZone } from "../services";
import {
  SEVERITIES,
  STATUS_FILTERS,
  apiParams,
  clearNarrowing,
  firstPage,
  hasNarrowing,
  matchesFilters,
  newerPage,
  olderPage,
  periodLabel,
  periodValue,
  readCursors,
  readFilters,
  withFilter,
  withWindow,
  type AlertFilters,
  type FacetExclusion,
  type FilterKey,
} from "../lib/alertsView";
import { alertCount, parseFacets, severityOrder, type FacetCount } from "../lib/facets";
import { rangeLabel, type Bucket } from "../lib/histogram";
import { PERIODS, formatTime } from "../lib/time";
import { dashboardsDocLink } from "../lib/links";
import { Decorated } from "../components/Decorated";
import { Time } from "../components/Time";
import { Empty, ErrorState, Loading, describeError } from "../components/States";
import { AckControl, StatusControl, TriageMessage, useTriage, type TriageActions } from "../components/AlertTriage";
import { Ring } from "../components/charts/Ring";
import { Bars } from "../components/charts/Bars";
import "./Alerts.css";

/** Bars of the volume chart. */
const BUCKETS = 48;

const enc = encodeURIComponent;

/** The CSS class suffix of a severity (`sev-NOTICE`): letters only, or `other`. */
function sevClass(severity: string): string {
  return /^[A-Z]+$/.test(severity) ? severity : "other";
}

function severityColor(key: string | null, index: number): string {
  return key && (SEVERITIES as readonly string[]).includes(key) ? `chart-sev-${key}` : `chart-c${index % 8}`;
}

function retryUnlessMissing(count: number, error: unknown): boolean {
  if (error instanceof ApiError && [400, 401, 403, 404].includes(error.status)) return false;
  return count < 2;
}

/** The facets under `filters`, without the filter `exclude` (each chart leaves its own out). */
function useFacets(filters: AlertFilters, exclude: FacetExclusion) {
  const api = useApi();
  const params = apiParams(filters, exclude);
  params.set("buckets", String(BUCKETS));
  const key = params.toString();
  return useQuery({
    queryKey: ["list", "alerts", "facets", key],
    queryFn: async ({ signal }) => parseFacets(await api.get<unknown>(`/alerts/triage/facets?${key}`, undefined, signal)),
    placeholderData: keepPreviousData,
    retry: retryUnlessMissing,
    staleTime: 5_000,
  });
}

/** A text field that writes to the URL 300 ms after the last keystroke (at once on Enter). */
function DebouncedField({
  id,
  label,
  value,
  onCommit,
  type = "text",
  list,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onCommit: (value: string) => void;
  type?: "text" | "search";
  list?: string;
  placeholder?: string;
}) {
  const [text, setText] = useState(value);
  // The URL value this field last saw, and the last one it wrote: a change of the URL from
  // elsewhere (a chart, Back) replaces the text; the field's own write does not.
  const [seen, setSeen] = useState(value);
  const [sent, setSent] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (value !== sent) {
      setText(value);
      setSent(value);
    }
  }
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => {
      setSent(text);
      onCommit(text);
    }, 300);
    return () => clearTimeout(timer);
  }, [text, value, onCommit]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={text}
        list={list}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            if (text !== value) {
              setSent(text);
              onCommit(text);
            }
          }
        }}
      />
    </div>
  );
}

function Toolbar({
  filters,
  setFilter,
  clearWindow,
  clearAll,
  categories,
  severities,
}: {
  filters: AlertFilters;
  setFilter: (key: FilterKey, value: string) => void;
  clearWindow: () => void;
  clearAll: () => void;
  categories: FacetCount[];
  severities: FacetCount[];
}) {
  const zone = useTimeZone();
  const ids = useId();
  const commitCategory = useCallback((v: string) => setFilter("category", v.trim()), [setFilter]);
  const commitSearch = useCallback((v: string) => setFilter("q", v), [setFilter]);
  const severityOptions = useMemo(() => {
    const all: string[] = [...SEVERITIES];
    for (const s of severities) if (s.key && !all.includes(s.key)) all.push(s.key);
    if (filters.severity && !all.includes(filters.severity)) all.push(filters.severity);
    return all;
  }, [severities, filters.severity]);
  const periodKnown = PERIODS.some((p) => p.minutes === filters.minutes);
  const submit = (event: FormEvent) => event.preventDefault();
  return (
    <form className="toolbar alerts-toolbar" role="search" aria-label="Filter alerts" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${ids}-period`}>Time period</label>
        <select id={`${ids}-period`} value={periodValue(filters.minutes)} onChange={(e) => setFilter("minutes", e.target.value)}>
          {PERIODS.map((p) => (
            <option key={p.label} value={periodValue(p.minutes)}>
              {p.label}
            </option>
          ))}
          {!periodKnown && <option value={periodValue(filters.minutes)}>{periodLabel(filters.minutes)}</option>}
        </select>
      </div>
      <DebouncedField
        id={`${ids}-category`}
        label="Category"
        value={filters.category}
        onCommit={commitCategory}
        list={`${ids}-categories`}
        placeholder="any"
      />
      <datalist id={`${ids}-categories`}>
        {categories
          .filter((c): c is { key: string; count: number } => Boolean(c.key))
          .map((c) => (
            <option key={c.key} value={c.key} />
          ))}
      </datalist>
      <div className="field">
        <label htmlFor={`${ids}-severity`}>Severity</label>
        <select id={`${ids}-severity`} value={filters.severity} onChange={(e) => setFilter("severity", e.target.value)}>
          <option value="">Any</option>
          {severityOptions.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${ids}-status`}>Status</label>
        <select id={`${ids}-status`} value={filters.status} onChange={(e) => setFilter("status", e.target.value)}>
          {STATUS_FILTERS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <DebouncedField
        id={`${ids}-q`}
        label="Search alerts"
        type="search"
        value={filters.q}
        onCommit={commitSearch}
        placeholder="summary, category, severity"
      />
      {hasNarrowing(filters) && (
        <button type="button" className="toolbar-clear" onClick={clearAll}>
          Clear filters
        </button>
      )}
      {(filters.since || filters.until) && (
        <p className="time-selection">
          <span>
            Time selection:{" "}
            {filters.since && filters.until
              ? rangeLabel(filters.since, filters.until, zone)
              : filters.since
                ? `from ${formatTime(filters.since, zone)}`
                : `until ${formatTime(filters.until, zone)}`}
          </span>
          <button type="button" onClick={clearWindow}>
            Clear time selection
          </button>
        </p>
      )}
    </form>
  );
}

function Charts({
  filters,
  setFilter,
  selectBucket,
  full,
  byCategory,
  bySeverity,
  byTime,
}: {
  filters: AlertFilters;
  setFilter: (key: FilterKey, value: string) => void;
  selectBucket: (bucket: Bucket) => void;
  full: ReturnType<typeof useFacets>;
  byCategory: ReturnType<typeof useFacets>;
  bySeverity: ReturnType<typeof useFacets>;
  byTime: ReturnType<typeof useFacets>;
}) {
  const zone = useTimeZone();
  const failed = [full, byCategory, bySeverity, byTime].find((q) => q.error && !q.data);
  const onCategory = useCallback((key: string) => setFilter("category", key), [setFilter]);
  const onSeverity = useCallback((key: string) => setFilter("severity", key), [setFilter]);
  let body;
  if (failed) {
    const missing = failed.error instanceof ApiError && failed.error.status === 404;
    body = (
      <div className="charts-state">
        <ErrorState
          error={missing ? new Error(`The charts are not available from this API yet (${describeError(failed.error)}).`) : failed.error}
          retry={() => {
            for (const q of [full, byCategory, bySeverity, byTime]) void q.refetch();
          }}
        />
      </div>
    );
  } else if (!byCategory.data || !bySeverity.data || !byTime.data) {
    body = (
      <div className="charts-state">
        <Loading what="charts" />
      </div>
    );
  } else {
    body = (
      <>
        <Ring
          title="Alerts by category"
          dimension="Category"
          counts={byCategory.data.category}
          active={filters.category}
          onToggle={onCategory}
        />
        <Ring
          title="Alerts by severity"
          dimension="Severity"
          counts={bySeverity.data.severity}
          active={filters.severity}
          onToggle={onSeverity}
          colorClass={severityColor}
          order={severityOrder}
        />
        {byTime.data.histogram ? (
          <Bars
            title="Alerts over time"
            histogram={byTime.data.histogram}
            zone={zone}
            since={filters.since}
            until={filters.until}
            onSelect={selectBucket}
          />
        ) : (
          <figure className="chart bars-chart">
            <figcaption>Alerts over time</figcaption>
            <p className="muted chart-none">No volume data.</p>
          </figure>
        )}
      </>
    );
  }
  return (
    <section
      className={`alert-charts${failed ? " is-error" : ""}`}
      aria-label="Alert charts"
      aria-busy={full.isFetching || byCategory.isFetching}
    >
      {body}
    </section>
  );
}

const AlertRow = memo(function AlertRow({
  alert,
  responder,
  busy,
  actions,
  dashboardsUrl,
}: {
  alert: AlertTriage;
  responder: boolean;
  busy: boolean;
  actions: TriageActions;
  dashboardsUrl: string | null;
}) {
  const severity = alert.severity ?? "";
  const path = `/alert/${enc(alert.id)}`;
  const dashboards = dashboardsDocLink(dashboardsUrl, alert.esmetadata?.index, alert.esmetadata?.id ?? alert.id);
  return (
    <tr className={alert.acknowledged ? "is-acked" : undefined}>
      <td className="cell-time">
        <Link to={path} className="time-link">
          <Time value={alert.utctimestamp} />
        </Link>
        <span className="row-links">
          <Link to={`${path}#events`}>Events</Link>
          {dashboards && (
            <a href={dashboards} target="_blank" rel="noopener noreferrer" aria-label="Open in Dashboards">
              Dashboards
            </a>
          )}
        </span>
      </td>
      <td className={`cell-sev sev sev-${sevClass(severity)}`}>{severity || "—"}</td>
      <td className="cell-cat" title={alert.category}>
        {alert.category || <span className="muted">—</span>}
      </td>
      <td className="cell-summary">
        <Decorated text={alert.summary} />
      </td>
      <td className="cell-status">
        <StatusControl alert={alert} actions={actions} busy={busy} responder={responder} />
      </td>
      <td className="cell-ack">
        <AckControl alert={alert} actions={actions} busy={busy} responder={responder} />
      </td>
    </tr>
  );
});

function TableHead() {
  return (
    <>
      <caption className="visually-hidden">Alerts, newest first</caption>
      <colgroup>
        <col className="col-time" />
        <col className="col-sev" />
        <col className="col-cat" />
        <col className="col-summary" />
        <col className="col-status" />
        <col className="col-ack" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Severity</th>
          <th scope="col">Category</th>
          <th scope="col">Summary</th>
          <th scope="col">Status</th>
          <th scope="col">Ack</th>
        </tr>
      </thead>
    </>
  );
}

function Skeleton({ rows }: { rows: number }) {
  return (
    <div className="table-wrap" aria-hidden="true">
      <table className="data alerts-table is-skeleton">
        <TableHead />
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              {Array.from({ length: 6 }, (_, j) => (
                <td key={j}>
                  <span className="skeleton-bar" />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Alerts() {
  const api = useApi();
  const { config } = useApp();
  const responder = useAllowed("responder");
  const preferences = usePreferences();
  // The page size is the user's: wait for the preferences rather than fetch a default page first.
  const preferencesRead = useQuery({
    queryKey: ["preferences"],
    queryFn: () => api.get<Preferences>("/preferences"),
    staleTime: 60_000,
  });
  const preferencesKnown = !preferencesRead.isPending;
  const pageSize = Math.min(500, Math.max(1, Math.round(preferences.pageSize) || 25));
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const cursors = useMemo(() => readCursors(params), [params]);
  const cursor = cursors[cursors.length - 1] ?? "";
  const listQuery = apiParams(filters).toString();

  const list = useQuery({
    queryKey: ["list", "alerts", "triage", listQuery, pageSize, cursor],
    queryFn: ({ signal }) => {
      const query = new URLSearchParams(listQuery);
      query.set("limit", String(pageSize));
      if (cursor) query.set("cursor", cursor);
      return api.get<RecordPage<AlertTriage>>(`/alerts/triage?${query.toString()}`, undefined, signal);
    },
    enabled: preferencesKnown,
    placeholderData: keepPreviousData,
  });

  const full = useFacets(filters, null);
  const byCategory = useFacets(filters, "category");
  const bySeverity = useFacets(filters, "severity");
  const byTime = useFacets(filters, "time");

  const setFilter = useCallback(
    (key: FilterKey, value: string) => setParams((prev) => withFilter(prev, key, value), { replace: key === "q" || key === "category" }),
    [setParams],
  );
  const selectBucket = useCallback(
    (bucket: Bucket) =>
      setParams((prev) => {
        const current = readFilters(prev);
        const same = current.since === bucket.start && current.until === bucket.end;
        return same ? withWindow(prev, null, null) : withWindow(prev, bucket.start, bucket.end);
      }),
    [setParams],
  );
  const clearWindow = useCallback(() => setParams((prev) => withWindow(prev, null, null)), [setParams]);
  const clearAll = useCallback(() => setParams((prev) => clearNarrowing(prev)), [setParams]);

  // Alerts that arrived while a later page is shown: counted, not inserted (rows stay put).
  const view = `${listQuery}|${cursor}`;
  const [fresh, setFresh] = useState<{ view: string; count: number }>({ view, count: 0 });
  const onChange = useCallback(
    (change: Change) => {
      if (change.kind !== "created") return;
      if (change.record && !matchesFilters(change.record, filters)) return;
      setFresh((prev) => ({ view, count: prev.view === view ? prev.count + 1 : 1 }));
    },
    [filters, view],
  );
  useChanges(onChange, "alerts");
  const freshCount = cursors.length > 0 && fresh.view === view ? fresh.count : 0;

  const triage = useTriage();
  const statusLine = useRef<HTMLDivElement>(null);
  /** After paging: back to the top of the table (where the new-alerts notice is). */
  const toTop = () => {
    const line = statusLine.current;
    if (line && line.getBoundingClientRect().top < 0) line.scrollIntoView({ block: "start" });
  };
  const records = list.data?.records ?? [];
  const total = full.data?.total;
  const period = periodLabel(filters.minutes);
  const narrowed = hasNarrowing(filters);
  const paging = list.isPlaceholderData;

  let table;
  if (list.isPending) {
    table = (
      <>
        <Loading what="alerts" />
        <Skeleton rows={Math.min(pageSize, 12)} />
      </>
    );
  } else if (list.error && !list.data) {
    table = <ErrorState error={list.error} retry={() => void list.refetch()} />;
  } else if (records.length === 0 && !paging) {
    table = (
      <Empty>
        <span>
          {filters.since || filters.until
            ? "No alerts in the selected time"
            : filters.minutes === null
              ? "No alerts"
              : `No alerts in the last ${period}`}
          {narrowed && !(filters.since || filters.until) ? " match these filters." : "."}
          {cursors.length > 0 && " This page is past the last alert."}
        </span>
        {cursors.length > 0 && (
          <button type="button" onClick={() => setParams((prev) => firstPage(prev))}>
            Newest alerts
          </button>
        )}
        {(filters.since || filters.until) && (
          <button type="button" onClick={clearWindow}>
            Clear time selection
          </button>
        )}
        {filters.minutes !== null && (
          <button type="button" className="primary" onClick={() => setFilter("minutes", "all")}>
            Widen to all time
          </button>
        )}
        {narrowed && (
          <button type="button" onClick={clearAll}>
            Clear filters
          </button>
        )}
      </Empty>
    );
  } else {
    table = (
      <div className={`table-wrap alerts-table-wrap${paging ? " is-updating" : ""}`} aria-busy={list.isFetching}>
        <table className="data alerts-table">
          <TableHead />
          <tbody>
            {records.map((alert) => (
              <AlertRow
                key={alert.id}
                alert={alert}
                responder={responder}
                busy={triage.busy.has(alert.id)}
                actions={triage.actions}
                dashboardsUrl={config.dashboardsUrl}
              />
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section className="alerts-page">
      <div className="alerts-head">
        <h1>Alerts</h1>
        <p className="alerts-total">
          {total !== undefined ? (
            <>
              {full.data?.truncated ? "at least " : ""}
              {alertCount(total)}
              {filters.minutes !== null && !filters.since ? ` in the last ${period}` : ""}
            </>
          ) : (
            "\u00a0"
          )}
        </p>
      </div>
      <Toolbar
        filters={filters}
        setFilter={setFilter}
        clearWindow={clearWindow}
        clearAll={clearAll}
        categories={(byCategory.data ?? full.data)?.category ?? EMPTY}
        severities={(bySeverity.data ?? full.data)?.severity ?? EMPTY}
      />
      <Charts
        filters={filters}
        setFilter={setFilter}
        selectBucket={selectBucket}
        full={full}
        byCategory={byCategory}
        bySeverity={bySeverity}
        byTime={byTime}
      />
      <TriageMessage triage={triage} />
      <div className="alerts-status" ref={statusLine}>
        <span className="alerts-page-info">
          {records.length > 0 && `Page ${cursors.length + 1}: ${records.length} ${records.length === 1 ? "alert" : "alerts"}`}
          {list.isFetching && !list.isPending && <span className="muted"> · updating…</span>}
          {list.error && list.data && <span className="form-error"> · {describeError(list.error)}</span>}
        </span>
        <span role="status" className="fresh-alerts">
          {freshCount > 0 && (
            <>
              {freshCount} new {freshCount === 1 ? "alert" : "alerts"} —{" "}
              <button type="button" className="link" onClick={() => setParams((prev) => firstPage(prev))}>
                Show new alerts
              </button>
            </>
          )}
        </span>
      </div>
      {table}
      <nav className="pager" aria-label="Pages of alerts">
        <button
          type="button"
          disabled={cursors.length === 0 || paging}
          onClick={() => {
            setParams((prev) => newerPage(prev));
            toTop();
          }}
        >
          Newer
        </button>
        <span className="muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!list.data?.next || paging}
          onClick={() => {
            const next = list.data?.next;
            if (next) {
              setParams((prev) => olderPage(prev, next));
              toTop();
            }
          }}
        >
          Older
        </button>
      </nav>
    </section>
  );
}

const EMPTY: FacetCount[] = [];
