/**
 * MozDef's /about with its health page: the store, the events indexed, the queues, the
 * quarantine, the categories of the last 15 minutes and the OpenSearch nodes
 * (`GET /api/health`, live: every 5 s), the service status and the versions.
 */
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../services";
import type { Health, ServiceStatus } from "../api/types";
import { Time } from "../components/Time";
import { Empty, ErrorState, QueryState } from "../components/States";
import { pollUnlessFailed } from "../lib/poll";
import { categoryRows, clusterFacts, formatBytes, formatCount, formatFigure, queueList, statusWords } from "../lib/health";
import { version as uiVersion } from "../../package.json";
import "./About.css";

const REFRESH_MS = 5_000;

function StoreStatus({ status }: { status: string }) {
  return (
    <span className={`health-badge health-${status}`}>
      <span className="health-dot" aria-hidden="true" />
      {statusWords(status)}
    </span>
  );
}

function Store({ health }: { health: Health }) {
  const facts = clusterFacts(health.store.cluster);
  return (
    <section className="health-card" aria-labelledby="store-title">
      <h3 id="store-title">Store</h3>
      <dl className="facts">
        <dt>Backend</dt>
        <dd>{health.store.backend}</dd>
        <dt>Status</dt>
        <dd>
          <StoreStatus status={health.store.status} />
        </dd>
        <dt>Indices</dt>
        <dd className="num">{formatCount(health.store.indices)}</dd>
        <dt>Documents</dt>
        <dd className="num">{formatCount(health.store.documents)}</dd>
        {facts.map(([key, value]) => (
          <FactRow key={key} name={key.replace(/_/g, " ")} value={value} />
        ))}
      </dl>
    </section>
  );
}

function FactRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className="mono">{value}</dd>
    </>
  );
}

function Events({ health }: { health: Health }) {
  const since = health.events.sinceStart;
  return (
    <section className="health-card" aria-labelledby="events-title">
      <h3 id="events-title">Events</h3>
      <p className="big-figure">
        <span className="num">{formatFigure(health.events.indexedPerSecond, 1)}</span>{" "}
        <span className="muted">indexed per second (last minute)</span>
      </p>
      {since ? (
        <>
          <h4>{since.minutes ? `Last ${formatCount(since.minutes)} minutes` : "Since start"}</h4>
          <dl className="facts">
            <dt>Indexed</dt>
            <dd className="num">{formatCount(since.indexed)}</dd>
            <dt>Dropped</dt>
            <dd className="num">{formatCount(since.dropped)}</dd>
            <dt>Quarantined</dt>
            <dd className="num">{formatCount(since.quarantined)}</dd>
          </dl>
        </>
      ) : (
        <p className="muted">No ingest counters: the API runs apart from the ingest workers.</p>
      )}
      <h4>Quarantine</h4>
      <dl className="facts">
        <dt>Last day</dt>
        <dd className="num">{formatCount(health.quarantine.lastDay)}</dd>
      </dl>
    </section>
  );
}

function Queues({ health }: { health: Health }) {
  const { queues, error } = queueList(health.queues);
  return (
    <section className="health-card health-wide" aria-labelledby="queues-title">
      <h3 id="queues-title">Queues</h3>
      {error ? (
        <p className="form-error">The queues could not be read: {error}</p>
      ) : queues.length === 0 ? (
        <p className="muted">No queues.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Queues">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Ready
                </th>
                <th scope="col" className="num">
                  In flight
                </th>
                <th scope="col" className="num">
                  Delayed
                </th>
                <th scope="col" className="num">
                  Backlog
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.name}>
                  <td className="mono">{q.name}</td>
                  <td className="num">{formatCount(q.ready)}</td>
                  <td className="num">{formatCount(q.in_flight)}</td>
                  <td className="num">{formatCount(q.delayed)}</td>
                  <td className="num">{formatBytes(q.backlog_bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Categories({ health }: { health: Health }) {
  const rows = categoryRows(health.categories.counts);
  const max = rows[0]?.count ?? 0;
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  return (
    <section className="health-card health-wide" aria-labelledby="categories-title">
      <h3 id="categories-title">Categories, last {health.categories.minutes} minutes</h3>
      {rows.length === 0 ? (
        <p className="muted">No events in the last {health.categories.minutes} minutes.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label={`Categories of the last ${health.categories.minutes} minutes`}>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col" className="num">
                  Events
                </th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.category}>
                  <td>{r.category}</td>
                  <td className="num">{formatCount(r.count)}</td>
                  <td className="share">
                    <svg className="share-bar" width="160" height="10" viewBox="0 0 160 10" aria-hidden="true" focusable="false">
                      <rect className="share-track" x="0" y="0" width="160" height="10" rx="2" />
                      <rect className="share-fill" x="0" y="0" width={max > 0 ? Math.max(1, (160 * r.count) / max) : 0} height="10" rx="2" />
                    </svg>{" "}
                    <span className="muted">{total > 0 ? `${formatFigure((100 * r.count) / total, 1)}%` : ""}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Nodes({ health }: { health: Health }) {
  if (health.nodes.length === 0) return null;
  return (
    <section className="health-card health-wide" aria-labelledby="nodes-title">
      <h3 id="nodes-title">OpenSearch nodes</h3>
      <div className="table-wrap">
        <table className="data" aria-label="OpenSearch nodes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Host</th>
              <th scope="col" className="num">
                CPU %
              </th>
              <th scope="col" className="num">
                Load
              </th>
              <th scope="col" className="num">
                JVM heap %
              </th>
              <th scope="col" className="num">
                GC old (s)
              </th>
              <th scope="col" className="num">
                Disk free / total (GB)
              </th>
            </tr>
          </thead>
          <tbody>
            {health.nodes.map((n, i) => (
              <tr key={n.id ?? i}>
                <td className="mono">{n.name ?? n.id ?? "—"}</td>
                <td className="mono">{n.hostname ?? "—"}</td>
                <td className="num">{formatFigure(n.cpu, 0)}</td>
                <td className="num">{formatFigure(n.load)}</td>
                <td className="num">{formatFigure(n.heap_percent, 0)}</td>
                <td className="num">{formatFigure(n.gc_old_seconds, 1)}</td>
                <td className="num">
                  {formatFigure(n.disk_free_gb)} / {formatFigure(n.disk_total_gb)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Service({ uiVersion, apiVersion, status }: { uiVersion: string; apiVersion: string; status: { data?: ServiceStatus; error: unknown } }) {
  return (
    <section className="health-card" aria-labelledby="service-title">
      <h3 id="service-title">Service</h3>
      <dl className="facts">
        <dt>Web UI</dt>
        <dd className="mono">{uiVersion}</dd>
        <dt>REST API</dt>
        <dd className="mono">{apiVersion}</dd>
        <dt>Status</dt>
        <dd>
          {status.data ? (
            <span className={status.data.status === "ok" ? "health-badge health-green" : "health-badge health-red"}>
              <span className="health-dot" aria-hidden="true" />
              {status.data.service}: {status.data.status}
            </span>
          ) : status.error ? (
            <span className="health-badge health-red">
              <span className="health-dot" aria-hidden="true" />
              not answering
            </span>
          ) : (
            "…"
          )}
        </dd>
      </dl>
    </section>
  );
}

export function About() {
  const api = useApi();
  const health = useQuery({
    queryKey: ["health"],
    queryFn: ({ signal }) => api.get<Health>("/health", undefined, signal),
    refetchInterval: pollUnlessFailed(REFRESH_MS),
    staleTime: 0,
  });
  const status = useQuery({
    queryKey: ["status"],
    queryFn: ({ signal }) => api.get<ServiceStatus>("/status", undefined, signal),
    refetchInterval: pollUnlessFailed(REFRESH_MS),
    staleTime: 0,
  });
  const openapi = useQuery({
    queryKey: ["openapi-version"],
    queryFn: ({ signal }) => api.get<{ info?: { version?: string } }>("/openapi.json", undefined, signal).then((d) => d.info?.version ?? "?"),
    staleTime: Infinity,
  });
  const data = health.data;

  return (
    <section className="about-page">
      <h1>About</h1>
      <p>
        MozDef, the Mozilla Defense Platform, re-implemented in Rust: events, alerts, incident handling and lists over one REST API.
      </p>
      <p className="about-links">
        <a href={`${api.base}/openapi.json`} target="_blank" rel="noopener noreferrer">
          The REST API document (OpenAPI)
        </a>
        <a href="https://github.com/mozilla/MozDef" target="_blank" rel="noopener noreferrer">
          MozDef on GitHub
        </a>
      </p>

      <h2 className="health-title">
        Health{" "}
        <span className={health.error ? "live-badge stale" : "live-badge"}>{health.error ? "not refreshing" : "live"}</span>
      </h2>
      {data && (
        <p className="health-updated muted">
          Last updated <Time value={data.time} />; refreshed every {REFRESH_MS / 1000} s.
        </p>
      )}
      {!data && <QueryState what="the health figures" query={health} />}
      {data && health.error && <ErrorState error={health.error} retry={() => void health.refetch()} />}
      <div className="health-grid">
        <Service
          uiVersion={uiVersion}
          apiVersion={openapi.data ?? (openapi.error ? "unknown" : "…")}
          status={{ data: status.data, error: status.error }}
        />
        {data && (
          <>
            <Store health={data} />
            <Events health={data} />
            <Queues health={data} />
            <Categories health={data} />
            <Nodes health={data} />
          </>
        )}
      </div>
      {data && data.store.documents === 0 && <Empty>The store holds no documents yet: send events to see figures here.</Empty>}
    </section>
  );
}
