import { describe, expect, it } from "vitest";
import { formatTime, fromLocalInput, isTimeZone, toLocalInput, utcTitle } from "./time";

describe("time", () => {
  it("formats in the user's zone", () => {
    expect(formatTime("2026-12-07T13:05:09.123456Z", "UTC")).toBe("2026-12-07 13:05:09 UTC");
    expect(formatTime("2026-07-01T12:00:00Z", "Europe/Paris")).toMatch(/^2026-07-01 14:00:00 /);
    expect(formatTime("not a time", "UTC")).toBe("not a time");
    expect(formatTime(null, "UTC")).toBe("");
  });

  it("falls back to UTC for an unknown zone", () => {
    expect(formatTime("2026-12-07T13:05:09Z", "Mars/Olympus")).toBe("2026-12-07 13:05:09 UTC");
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("America/New_York")).toBe(true);
  });

  it("gives UTC on hover", () => {
    expect(utcTitle("2026-12-07T13:05:09.5+01:00")).toBe("2026-12-07 12:05:09 UTC");
  });

  it("round-trips datetime-local values through a zone, across DST", () => {
    for (const zone of ["UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kolkata"]) {
      for (const iso of ["2026-03-29T00:30:00.000Z", "2026-10-25T01:30:00.000Z", "2026-12-07T23:59:00.000Z"]) {
        expect(fromLocalInput(toLocalInput(iso, zone), zone)).toBe(iso);
      }
    }
    expect(toLocalInput("2026-07-01T12:00:00Z", "Europe/Paris")).toBe("2026-07-01T14:00");
    expect(fromLocalInput("garbage", "UTC")).toBeUndefined();
  });
});
