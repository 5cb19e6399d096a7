import { describe, expect, it } from "vitest";
import type { AlertSchedule } from "../api/types";
import { describeRun, filterSchedules } from "./schedules";

const schedule = (name: string, schedule_str = "1 minutes"): AlertSchedule => ({
  name,
  enabled: true,
  schedule_type: "interval",
  schedule_str,
  last_run_at: null,
  total_run_count: 0,
});

describe("filterSchedules", () => {
  const all = {
    "b.B": schedule("b.B"),
    "a.A": schedule("a.A", "*/5 * * * *"),
    "bruteforce_ssh.AlertBruteforceSsh": schedule("bruteforce_ssh.AlertBruteforceSsh"),
  };
  it("sorts by name", () => {
    expect(filterSchedules(all, "").map((s) => s.name)).toEqual(["a.A", "b.B", "bruteforce_ssh.AlertBruteforceSsh"]);
  });
  it("filters by name or schedule, any case", () => {
    expect(filterSchedules(all, "BRUTE").map((s) => s.name)).toEqual(["bruteforce_ssh.AlertBruteforceSsh"]);
    expect(filterSchedules(all, "*/5").map((s) => s.name)).toEqual(["a.A"]);
    expect(filterSchedules(all, "nothing")).toEqual([]);
  });
});

describe("describeRun", () => {
  it("counts the alerts raised", () => {
    expect(describeRun("x.X", { raised: 2, runs: [{ name: "x.X", alerts: [{}, {}], errors: [] }] })).toEqual({
      text: "x.X ran: 2 alerts raised.",
      failed: false,
    });
    expect(describeRun("x.X", { raised: 1, runs: [{ name: "x.X", alerts: [{}], errors: [] }] }).text).toBe("x.X ran: 1 alert raised.");
  });
  it("reports errors", () => {
    expect(describeRun("x.X", { raised: 0, runs: [{ name: "x.X", alerts: [], errors: ["store down"] }] })).toEqual({
      text: "x.X ran with 1 error (0 alerts raised): store down",
      failed: true,
    });
  });
  it("says when the run was handed on", () => {
    expect(describeRun("x.X", { queued: ["x.X"] }).text).toBe("x.X: handed to the alert runners (x.X queued).");
  });
});
