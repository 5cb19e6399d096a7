/**
 * MozDef's /manage-alerts: the alert schedules (name, schedule, last run, run count), turned
 * on or off by admins, run at once by responders. Refreshed every 10 s: the scheduler moves
 * the last runs and the counts.
 */
import { useId, useState } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useAllowed, useApi } from "../services";
import type { AlertSchedule, RunQueued, RunResult } from "../api/types";
import { Time } from "../components/Time";
import { Empty, ErrorState, QueryState, describeError } from "../components/States";
import { describeRun, filterSchedules } from "../lib/schedules";
import { pollUnlessFailed } from "../lib/poll";
import "./ManageAlerts.css";

const KEY = ["alertschedules"];

interface Outcome {
  text: string;
  failed: boolean;
}

export function ManageAlerts() {
  const api = useApi();
  const client = useQueryClient();
  const admin = useAllowed("admin");
  const responder = useAllowed("responder");
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const filterId = useId();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [running, setRunning] = useState<ReadonlySet<string>>(new Set());
  const [toggling, setToggling] = useState<ReadonlySet<string>>(new Set());

  const schedules = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api.get<Record<string, AlertSchedule>>("/alertschedules", undefined, signal),
    refetchInterval: pollUnlessFailed(10_000),
  });

  const without = (set: ReadonlySet<string>, name: string) => new Set([...set].filter((n) => n !== name));

  const toggle = useMutation({
    mutationFn: ({ name, enabled }: { name: string; enabled: boolean }) =>
      api.put<{ name: string; enabled: boolean }>(`/alertschedules/${encodeURIComponent(name)}`, { enabled }),
    onMutate: ({ name }) => setToggling((s) => new Set(s).add(name)),
    onSuccess: (answer) => {
      client.setQueryData<Record<string, AlertSchedule>>(KEY, (old) =>
        old && old[answer.name] ? { ...old, [answer.name]: { ...old[answer.name]!, enabled: answer.enabled } } : old,
      );
      setOutcome({ text: `${answer.name} ${answer.enabled ? "enabled" : "disabled"}.`, failed: false });
    },
    onError: (error, { name, enabled }) =>
      setOutcome({ text: `Could not ${enabled ? "enable" : "disable"} ${name}: ${describeError(error)}`, failed: true }),
    onSettled: (_data, _error, { name }) => {
      setToggling((s) => without(s, name));
      void client.invalidateQueries({ queryKey: KEY });
    },
  });

  const run = useMutation({
    mutationFn: (name: string) => api.post<RunResult | RunQueued>("/alerts/run", { names: [name] }),
    onMutate: (name) => {
      setRunning((s) => new Set(s).add(name));
      setOutcome({ text: `Running ${name}…`, failed: false });
    },
    onSuccess: (answer, name) => setOutcome(describeRun(name, answer)),
    onError: (error, name) => setOutcome({ text: `Could not run ${name}: ${describeError(error)}`, failed: true }),
    onSettled: (_data, _error, name) => {
      setRunning((s) => without(s, name));
      void client.invalidateQueries({ queryKey: KEY });
      void client.invalidateQueries({ queryKey: ["list", "alerts"] });
    },
  });

  const all = schedules.data ? filterSchedules(schedules.data, "") : [];
  const shown = schedules.data ? filterSchedules(schedules.data, filter) : [];
  const enabled = all.filter((s) => s.enabled).length;

  return (
    <section className="manage-alerts">
      <h1>Manage alerts</h1>
      <p className="muted">
        The scheduler picks up a change within seconds. This table refreshes every 10 seconds
        {schedules.dataUpdatedAt ? (
          <>
            {" "}
            (last <Time value={new Date(schedules.dataUpdatedAt).toISOString()} />)
          </>
        ) : null}
        .
      </p>

      <div className="toolbar">
        <div className="field">
          <label htmlFor={filterId}>Filter alerts</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            autoComplete="off"
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set("filter", e.target.value);
              else next.delete("filter");
              setParams(next, { replace: true });
            }}
          />
        </div>
        {schedules.data && (
          <p className="schedule-counts">
            {all.length} schedules, {enabled} enabled
            {filter && `, ${shown.length} shown`}
          </p>
        )}
      </div>

      <div className={outcome?.failed ? "run-outcome failed" : "run-outcome"} role="status" aria-live="polite">
        {outcome?.text}
      </div>

      {!schedules.data && <QueryState what="the alert schedules" query={schedules} />}
      {schedules.data && schedules.error && <ErrorState error={schedules.error} retry={() => void schedules.refetch()} />}
      {schedules.data && shown.length === 0 && (
        <Empty>
          {all.length === 0 ? (
            <span>There are no alert schedules.</span>
          ) : (
            <>
              <span>No alert matches “{filter}”.</span>
              <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                Clear the filter
              </button>
            </>
          )}
        </Empty>
      )}
      {shown.length > 0 && (
        <div className="table-wrap">
          <table className="data schedules-table" aria-label="Alert schedules">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Schedule</th>
                <th scope="col">Enabled</th>
                <th scope="col">Last run</th>
                <th scope="col">Run count</th>
                {(admin || responder) && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.name} className={s.enabled ? undefined : "disabled"}>
                  <td className="mono schedule-name">{s.name}</td>
                  <td className="mono nowrap">{s.schedule_str}</td>
                  <td>
                    <span className={s.enabled ? "badge schedule-on" : "badge schedule-off"}>{s.enabled ? "Enabled" : "Disabled"}</span>
                  </td>
                  <td className="nowrap">{s.last_run_at ? <Time value={s.last_run_at} /> : <span className="muted">never</span>}</td>
                  <td className="num">{s.total_run_count.toLocaleString("en-US")}</td>
                  {(admin || responder) && (
                    <td className="nowrap">
                      <div className="schedule-actions">
                      {admin && (
                        <button
                          type="button"
                          aria-label={`${s.enabled ? "Disable" : "Enable"} ${s.name}`}
                          disabled={toggling.has(s.name)}
                          onClick={() => toggle.mutate({ name: s.name, enabled: !s.enabled })}
                        >
                          {s.enabled ? "Disable" : "Enable"}
                        </button>
                      )}
                      {responder && (
                        <button
                          type="button"
                          aria-label={`Run ${s.name} now`}
                          title={`Run ${s.name} now`}
                          disabled={running.has(s.name)}
                          onClick={() => run.mutate(s.name)}
                        >
                          Run
                        </button>
                      )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
