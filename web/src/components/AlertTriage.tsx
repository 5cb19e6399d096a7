/**
 * Triage of alerts, shared by the alerts table and an alert's page: acknowledge / unacknowledge
 * (`POST` / `DELETE /api/alerts/{id}/ack`), the status (`PUT /api/alerts/{id}/triage` with the
 * version read; a 409 reloads and says so). Responders get controls, viewers the text.
 */
import { useCallback, useMemo, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import type { AlertStatus, AlertTriage, RecordPage } from "../api/types";
import { useApi } from "../services";
import { shortName, statusLabel } from "../lib/alertsView";
import { describeError } from "./States";
import { Time } from "./Time";
import "./AlertTriage.css";

export const SETTABLE_STATUSES: AlertStatus[] = ["manual", "inProgress", "acknowledged", "escalated"];

export interface TriageNotice {
  kind: "error" | "conflict";
  text: string;
}

/** What can be done to an alert (a stable object: rows can be memoised on it). */
export interface TriageActions {
  ack: (alert: AlertTriage) => void;
  unack: (alert: AlertTriage) => void;
  setStatus: (alert: AlertTriage, status: AlertStatus) => void;
}

export interface Triage {
  /** Ids with a request in flight. */
  busy: ReadonlySet<string>;
  notice: TriageNotice | null;
  dismiss: () => void;
  actions: TriageActions;
}

const enc = encodeURIComponent;

export function useTriage(): Triage {
  const api = useApi();
  const client = useQueryClient();
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());
  const [notice, setNotice] = useState<TriageNotice | null>(null);

  /** Puts `record` (or a change of it) into every cached copy: the lists and the record. */
  const patch = useCallback(
    (id: string, change: (record: AlertTriage) => AlertTriage) => {
      client.setQueriesData<RecordPage<AlertTriage>>({ queryKey: ["list", "alerts", "triage"] }, (page) =>
        page ? { ...page, records: page.records.map((r) => (r.id === id ? change(r) : r)) } : page,
      );
      client.setQueryData<AlertTriage>(["record", "alerts", id], (record) => (record ? change(record) : record));
    },
    [client],
  );

  const run = useCallback(
    async (alert: AlertTriage, request: () => Promise<AlertTriage>, optimistic?: (r: AlertTriage) => AlertTriage) => {
      const id = alert.id;
      setBusy((b) => new Set(b).add(id));
      setNotice(null);
      if (optimistic) patch(id, optimistic);
      try {
        const updated = await request();
        patch(id, () => updated);
      } catch (error) {
        const name = `"${shortName(alert.summary, id, 80)}"`;
        if (error instanceof ApiError && error.status === 409) {
          const current = error.body?.current;
          if (current && typeof current === "object") patch(id, () => current as AlertTriage);
          setNotice({
            kind: "conflict",
            text: `Alert ${name} was changed by someone else since it was shown; it has been reloaded (status: ${statusLabel(
              current && typeof current === "object" ? ((current as AlertTriage).status ?? null) : alert.status,
            )}). Check it and choose again.`,
          });
        } else {
          setNotice({ kind: "error", text: `Alert ${name} could not be changed: ${describeError(error)}` });
        }
      } finally {
        setBusy((b) => {
          const next = new Set(b);
          next.delete(id);
          return next;
        });
        void client.invalidateQueries({ queryKey: ["list", "alerts"] });
        void client.invalidateQueries({ queryKey: ["record", "alerts", id] });
      }
    },
    [client, patch],
  );

  const ack = useCallback((alert: AlertTriage) => void run(alert, () => api.post<AlertTriage>(`/alerts/${enc(alert.id)}/ack`)), [api, run]);
  const unack = useCallback(
    (alert: AlertTriage) => void run(alert, () => api.delete<AlertTriage>(`/alerts/${enc(alert.id)}/ack`)),
    [api, run],
  );
  const setStatus = useCallback(
    (alert: AlertTriage, status: AlertStatus) =>
      void run(
        alert,
        () => api.put<AlertTriage>(`/alerts/${enc(alert.id)}/triage`, { version: alert.version, status }),
        (r) => ({ ...r, status }),
      ),
    [api, run],
  );
  const dismiss = useCallback(() => setNotice(null), []);
  const actions = useMemo(() => ({ ack, unack, setStatus }), [ack, unack, setStatus]);
  return { busy, notice, dismiss, actions };
}

/** The outcome of the last triage action that went wrong (a conflict or an error). */
export function TriageMessage({ triage }: { triage: Triage }) {
  return (
    <div className="triage-message-slot">
      {triage.notice && (
        <div className={`triage-message triage-${triage.notice.kind}`} role="alert">
          <span>{triage.notice.text}</span>
          <button type="button" onClick={triage.dismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}

/** The status: a select for responders (named "Status of alert <summary>"), text for viewers. */
interface ControlProps {
  alert: AlertTriage;
  actions: TriageActions;
  busy: boolean;
  responder: boolean;
}

export function StatusControl({ alert, actions, busy, responder }: ControlProps) {
  if (!responder) return <span className={`status status-${alert.status ?? "new"}`}>{statusLabel(alert.status)}</span>;
  return (
    <select
      className="status-select"
      aria-label={`Status of alert ${shortName(alert.summary, alert.id)}`}
      value={alert.status ?? ""}
      disabled={busy}
      onChange={(event) => {
        const value = event.target.value as AlertStatus | "";
        if (value) actions.setStatus(alert, value);
      }}
    >
      {!alert.status && (
        <option value="" disabled>
          New
        </option>
      )}
      {SETTABLE_STATUSES.map((s) => (
        <option key={s} value={s}>
          {statusLabel(s)}
        </option>
      ))}
    </select>
  );
}

/**
 * Who acknowledged it and when, and the button to ack or unack (responders; a double-click on
 * an acknowledged one unacks it too, as in MozDef).
 */
export function AckControl({ alert, actions, busy, responder }: ControlProps) {
  if (alert.acknowledged) {
    return (
      <div
        className="ack ack-yes"
        onDoubleClick={responder && !busy ? () => actions.unack(alert) : undefined}
        title={responder ? "Double-click to unacknowledge" : undefined}
      >
        <span className="ack-who">
          <span className="ack-by" title={alert.acknowledgedby ?? undefined}>
            {alert.acknowledgedby ?? "someone"}
          </span>
          <span className="ack-when">
            <Time value={alert.acknowledged} />
          </span>
        </span>
        {responder && (
          <button type="button" className="ack-button" disabled={busy} onClick={() => actions.unack(alert)}>
            Unacknowledge
          </button>
        )}
      </div>
    );
  }
  return (
    <div className="ack ack-no">
      {responder ? (
        <button type="button" className="ack-button" disabled={busy} onClick={() => actions.ack(alert)}>
          Acknowledge
        </button>
      ) : (
        <span className="muted">Not acknowledged</span>
      )}
    </div>
  );
}
