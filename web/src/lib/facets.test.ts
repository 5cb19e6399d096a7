import { describe, expect, it } from "vitest";
import { alertCount, arcPath, groupSlices, parseFacets, ringArcs, severityOrder, statusFacetKey } from "./facets";

const g = { cx: 50, cy: 50, radius: 40, inner: 25 };

describe("groupSlices", () => {
  it("sorts by count and groups the tail as other", () => {
    const counts = [
      { key: "a", count: 1 },
      { key: "b", count: 5 },
      { key: "c", count: 3 },
      { key: "d", count: 2 },
      { key: "e", count: 0 },
    ];
    expect(groupSlices(counts, 3)).toEqual([
      { key: "b", label: "b", count: 5, other: false },
      { key: "c", label: "c", count: 3, other: false },
      { key: null, label: "other (2)", count: 3, other: true },
    ]);
    expect(groupSlices(counts, 8).map((s) => s.key)).toEqual(["b", "c", "d", "a"]);
  });
  it("merges missing and empty keys as (none)", () => {
    expect(groupSlices([{ key: null, count: 2 }, { key: "", count: 1 }])).toEqual([{ key: null, label: "(none)", count: 3, other: false }]);
  });
  it("can order severities by rank", () => {
    const s = groupSlices(
      [
        { key: "INFO", count: 10 },
        { key: "CRITICAL", count: 1 },
        { key: "WEIRD", count: 4 },
        { key: "WARNING", count: 3 },
      ],
      8,
      severityOrder,
    );
    expect(s.map((x) => x.key)).toEqual(["CRITICAL", "WARNING", "INFO", "WEIRD"]);
  });
});

describe("ringArcs", () => {
  it("shares the circle by count", () => {
    const arcs = ringArcs(
      [
        { key: "a", label: "a", count: 3, other: false },
        { key: "b", label: "b", count: 1, other: false },
      ],
      g,
    );
    expect(arcs).toHaveLength(2);
    expect(arcs[0]!.start).toBe(0);
    expect(arcs[0]!.end).toBeCloseTo(1.5 * Math.PI);
    expect(arcs[0]!.fraction).toBeCloseTo(0.75);
    expect(arcs[1]!.start).toBeCloseTo(1.5 * Math.PI);
    expect(arcs[1]!.end).toBeCloseTo(2 * Math.PI);
    // the larger arc takes the long way round
    expect(arcs[0]!.path).toContain("A 40 40 0 1 1");
    expect(arcs[1]!.path).toContain("A 40 40 0 0 1");
    // starts at twelve o'clock on the outer circle
    expect(arcs[0]!.path.startsWith("M 50 10 ")).toBe(true);
  });
  it("draws one key as a whole ring and nothing for no counts", () => {
    const arcs = ringArcs([{ key: "a", label: "a", count: 7, other: false }], g);
    expect(arcs).toHaveLength(1);
    expect(arcs[0]!.path.match(/A /g)).toHaveLength(4);
    expect(ringArcs([], g)).toEqual([]);
    expect(ringArcs([{ key: "a", label: "a", count: 0, other: false }], g)).toEqual([]);
  });
  it("draws a quarter from the top to three o'clock", () => {
    expect(arcPath(g, 0, Math.PI / 2)).toBe("M 50 10 A 40 40 0 0 1 90 50 L 75 50 A 25 25 0 0 0 50 25 Z");
    expect(arcPath(g, 1, 1)).toBe("");
  });
});

describe("parseFacets", () => {
  it("reads the answer and tolerates missing parts", () => {
    const f = parseFacets({
      total: 12,
      scanned: 12,
      truncated: false,
      category: [{ key: "bruteforce", count: 12 }],
      severity: [{ key: "NOTICE", count: "x" }],
      histogram: { start: "2026-12-06T12:00:00Z", end: "2026-12-07T12:00:00Z", intervalSeconds: 3600, counts: [1, null, 3] },
    });
    expect(f.total).toBe(12);
    expect(f.category).toEqual([{ key: "bruteforce", count: 12 }]);
    expect(f.severity).toEqual([{ key: "NOTICE", count: 0 }]);
    expect(f.status).toEqual([]);
    expect(f.histogram?.counts).toEqual([1, 0, 3]);
    expect(parseFacets(null)).toMatchObject({ total: 0, histogram: null, truncated: false });
  });
  it("maps an unset status to new", () => {
    expect(statusFacetKey(null)).toBe("new");
    expect(statusFacetKey("")).toBe("new");
    expect(statusFacetKey("manual")).toBe("manual");
  });
  it("counts alerts in words", () => {
    expect(alertCount(1)).toBe("1 alert");
    expect(alertCount(5000)).toBe("5,000 alerts");
  });
});
