import { describe, expect, it } from "vitest";
import {
  apiParams,
  clearNarrowing,
  firstPage,
  matchesFilters,
  newerPage,
  olderPage,
  periodLabel,
  readCursors,
  readFilters,
  shortName,
  statusLabel,
  withFilter,
  withWindow,
} from "./alertsView";

const p = (s: string) => new URLSearchParams(s);

describe("readFilters", () => {
  it("defaults to the last day and nothing else", () => {
    expect(readFilters(p(""))).toEqual({ minutes: 1440, category: "", severity: "", status: "", q: "", since: "", until: "" });
  });
  it("reads all time, a period, the filters and a window", () => {
    expect(readFilters(p("minutes=all")).minutes).toBeNull();
    expect(readFilters(p("minutes=60&category=bruteforce&severity=NOTICE&status=new&q=ssh")).status).toBe("new");
    expect(readFilters(p("minutes=60")).minutes).toBe(60);
    expect(readFilters(p("since=2026-12-07T06:00:00Z&until=2026-12-07T07:00:00Z")).since).toBe("2026-12-07T06:00:00Z");
  });
  it("ignores values it cannot use", () => {
    const f = readFilters(p("minutes=-5&status=bogus&since=yesterday"));
    expect(f.minutes).toBe(1440);
    expect(f.status).toBe("");
    expect(f.since).toBe("");
    expect(readFilters(p("minutes=99999999")).minutes).toBe(1440);
  });
});

describe("apiParams", () => {
  const base = readFilters(p("minutes=60&category=bruteforce&severity=NOTICE&status=manual&q=%20ssh%20"));
  it("passes the filters, trimmed", () => {
    expect(apiParams(base).toString()).toBe("minutes=60&category=bruteforce&severity=NOTICE&status=manual&q=ssh");
  });
  it("asks for status not set as an empty status", () => {
    expect(apiParams({ ...base, status: "new" }).get("status")).toBe("");
    expect(apiParams({ ...base, status: "new" }).has("status")).toBe(true);
  });
  it("leaves out the excluded filter", () => {
    expect(apiParams(base, "category").has("category")).toBe(false);
    expect(apiParams(base, "severity").has("severity")).toBe(false);
    expect(apiParams(base, "severity").has("category")).toBe(true);
  });
  it("replaces the period by a chosen window, except for the chart that chooses it", () => {
    const w = { ...base, since: "2026-12-07T06:00:00.000Z", until: "2026-12-07T07:00:00.000Z" };
    const q = apiParams(w);
    expect(q.has("minutes")).toBe(false);
    expect(q.get("since")).toBe(w.since);
    expect(q.get("until")).toBe(w.until);
    const t = apiParams(w, "time");
    expect(t.get("minutes")).toBe("60");
    expect(t.has("since")).toBe(false);
  });
  it("sends no minutes for all time", () => {
    expect(apiParams(readFilters(p("minutes=all"))).toString()).toBe("");
  });
});

describe("cursor stack", () => {
  it("pushes, pops and resets", () => {
    let q = p("category=x");
    expect(readCursors(q)).toEqual([]);
    q = olderPage(q, "AAA");
    q = olderPage(q, "B-_b");
    expect(readCursors(q)).toEqual(["AAA", "B-_b"]);
    expect(q.get("category")).toBe("x");
    // survives a round trip through the URL
    q = p(q.toString());
    expect(readCursors(q)).toEqual(["AAA", "B-_b"]);
    q = newerPage(q);
    expect(readCursors(q)).toEqual(["AAA"]);
    expect(readCursors(newerPage(q))).toEqual([]);
    expect(readCursors(newerPage(p("")))).toEqual([]);
    expect(readCursors(firstPage(olderPage(q, "C")))).toEqual([]);
  });
  it("keeps cursors with any characters", () => {
    const q = p(olderPage(p(""), "a.b,c=d&e").toString());
    expect(readCursors(q)).toEqual(["a.b,c=d&e"]);
  });
  it("goes back to the first page when a filter changes", () => {
    const q = olderPage(p("q=x"), "AAA");
    const changed = withFilter(q, "severity", "ERROR");
    expect(readCursors(changed)).toEqual([]);
    expect(changed.get("severity")).toBe("ERROR");
    expect(withFilter(changed, "severity", "").has("severity")).toBe(false);
  });
});

describe("withFilter and windows", () => {
  it("drops the window with a new period and keeps the default out of the URL", () => {
    const q = withWindow(p("minutes=60"), "2026-12-07T06:00:00Z", "2026-12-07T07:00:00Z");
    expect(q.get("since")).toBe("2026-12-07T06:00:00Z");
    const changed = withFilter(q, "minutes", "1440");
    expect(changed.has("since")).toBe(false);
    expect(changed.has("until")).toBe(false);
    expect(changed.has("minutes")).toBe(false);
    expect(withFilter(q, "minutes", "all").get("minutes")).toBe("all");
    expect(withWindow(q, null, null).has("since")).toBe(false);
  });
  it("clears everything but the period", () => {
    const q = clearNarrowing(p("minutes=60&category=a&severity=b&status=new&q=c&since=x&until=y&cursor=z"));
    expect(q.toString()).toBe("minutes=60");
  });
});

describe("labels", () => {
  it("names periods and statuses", () => {
    expect(periodLabel(1440)).toBe("1 day");
    expect(periodLabel(null)).toBe("All");
    expect(periodLabel(90)).toBe("90 minutes");
    expect(statusLabel(null)).toBe("New");
    expect(statusLabel("inProgress")).toBe("In progress");
  });
  it("shortens summaries", () => {
    expect(shortName("  a   b ", "id")).toBe("a b");
    expect(shortName("", "id1")).toBe("id1");
    expect(shortName("x".repeat(100), "id", 10)).toBe(`${"x".repeat(9)}…`);
  });
});

describe("matchesFilters", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const record = { category: "bruteforce", severity: "NOTICE", status: null, summary: "12 ssh attempts by 1.2.3.4", utctimestamp: "2026-12-07T11:59:00Z" };
  it("matches what the API would list", () => {
    expect(matchesFilters(record, readFilters(p("")), now)).toBe(true);
    expect(matchesFilters(record, readFilters(p("category=bruteforce&status=new&q=SSH")), now)).toBe(true);
    expect(matchesFilters(record, readFilters(p("category=other")), now)).toBe(false);
    expect(matchesFilters(record, readFilters(p("status=manual")), now)).toBe(false);
    expect(matchesFilters(record, readFilters(p("q=nothing")), now)).toBe(false);
  });
  it("respects the period and the window", () => {
    expect(matchesFilters({ ...record, utctimestamp: "2026-12-05T00:00:00Z" }, readFilters(p("")), now)).toBe(false);
    expect(matchesFilters(record, readFilters(p("until=2026-12-07T06:00:00Z")), now)).toBe(false);
  });
});
