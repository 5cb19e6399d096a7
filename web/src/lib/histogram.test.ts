import { describe, expect, it } from "vitest";
import { histogramBuckets, inWindow, niceMax, rangeLabel, tickIndexes, tickLabel } from "./histogram";

const h = { start: "2026-12-07T00:00:00Z", end: "2026-12-07T03:00:00Z", intervalSeconds: 3600, counts: [4, 0, 2] };

describe("histogramBuckets", () => {
  it("gives each bucket its range", () => {
    const b = histogramBuckets(h);
    expect(b).toHaveLength(3);
    expect(b[0]).toEqual({ index: 0, start: "2026-12-07T00:00:00.000Z", end: "2026-12-07T01:00:00.000Z", count: 4 });
    expect(b[2]!.end).toBe("2026-12-07T03:00:00.000Z");
  });
  it("ends the last bucket at the end when it is shorter", () => {
    const b = histogramBuckets({ ...h, end: "2026-12-07T02:30:00Z" });
    expect(b[2]!.end).toBe("2026-12-07T02:30:00.000Z");
  });
  it("derives the interval from the span when it is missing", () => {
    const b = histogramBuckets({ ...h, intervalSeconds: 0 });
    expect(b[1]!.start).toBe("2026-12-07T01:00:00.000Z");
  });
  it("has no buckets for nonsense", () => {
    expect(histogramBuckets({ ...h, start: "x" })).toEqual([]);
    expect(histogramBuckets({ ...h, counts: [] })).toEqual([]);
  });
});

describe("labels", () => {
  it("writes ticks at the precision of the span, in the zone", () => {
    expect(tickLabel("2026-12-07T06:30:00Z", "UTC", 86400)).toBe("06:30");
    expect(tickLabel("2026-12-07T06:30:00Z", "Europe/Berlin", 86400)).toBe("07:30");
    expect(tickLabel("2026-12-07T06:30:00Z", "UTC", 7 * 86400)).toBe("12-07 06:30");
    expect(tickLabel("2026-12-07T23:30:00Z", "America/New_York", 30 * 86400)).toBe("2026-12-07");
    expect(tickLabel("2026-12-07T06:30:00Z", "Not/AZone", 86400)).toBe("06:30");
  });
  it("writes a bucket's range, the date once when it does not change", () => {
    expect(rangeLabel("2026-12-07T06:00:00Z", "2026-12-07T06:30:00Z", "UTC")).toBe("2026-12-07 06:00 – 06:30 UTC");
    expect(rangeLabel("2026-12-07T23:00:00Z", "2026-12-08T01:00:00Z", "UTC")).toBe("2026-12-07 23:00 – 2026-12-08 01:00 UTC");
  });
  it("spaces ticks", () => {
    expect(tickIndexes(4)).toEqual([0, 1, 2, 3]);
    expect(tickIndexes(48, 6)).toEqual([0, 8, 16, 24, 32, 40]);
    expect(tickIndexes(0)).toEqual([]);
  });
  it("rounds the axis up", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(13)).toBe(20);
    expect(niceMax(40)).toBe(50);
    expect(niceMax(100)).toBe(100);
  });
});

describe("inWindow", () => {
  const [b0, b1, b2] = histogramBuckets(h);
  it("selects the buckets a window overlaps", () => {
    const since = "2026-12-07T01:00:00.000Z";
    const until = "2026-12-07T02:00:00.000Z";
    expect(inWindow(b0!, since, until)).toBe(false);
    expect(inWindow(b1!, since, until)).toBe(true);
    expect(inWindow(b2!, since, until)).toBe(false);
    expect(inWindow(b2!, "", "")).toBe(true);
  });
});
