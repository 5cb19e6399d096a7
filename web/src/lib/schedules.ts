/** The alert schedules page: filtering the schedules and saying what a run did. */
import type { AlertSchedule, RunQueued, RunResult } from "../api/types";

/** The schedules (an object by name) sorted by name, those matching `filter` (name or schedule, any case). */
export function filterSchedules(schedules: Record<string, AlertSchedule>, filter: string): AlertSchedule[] {
  const needle = filter.trim().toLowerCase();
  return Object.entries(schedules)
    .map(([name, schedule]) => ({ ...schedule, name: schedule.name || name }))
    .filter((s) => !needle || s.name.toLowerCase().includes(needle) || s.schedule_str.toLowerCase().includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export interface RunOutcome {
  text: string;
  /** Whether a run reported errors. */
  failed: boolean;
}

/** What `POST /alerts/run` answered, in a sentence. */
export function describeRun(name: string, answer: RunResult | RunQueued): RunOutcome {
  if ("queued" in answer) {
    return { text: `${name}: handed to the alert runners (${answer.queued.join(", ") || "nothing"} queued).`, failed: false };
  }
  const errors = answer.runs.flatMap((r) => r.errors.map((e) => (answer.runs.length > 1 ? `${r.name}: ${e}` : e)));
  const raised = `${plural(answer.raised, "alert")} raised`;
  if (errors.length > 0) {
    return { text: `${name} ran with ${plural(errors.length, "error")} (${raised}): ${errors.join("; ")}`, failed: true };
  }
  return { text: `${name} ran: ${raised}.`, failed: false };
}
