import { describe, expect, it } from "vitest";
import { addClause, fieldClause, fieldText, parseMinutes, rangeLabel, SEARCH_PERIODS, widerPeriod } from "./searchQuery";

describe("periods", () => {
  it("leaves All out", () => {
    expect(SEARCH_PERIODS.map((p) => p.minutes)).toEqual([60, 120, 360, 1440, 2880, 10080, 43200]);
  });
  it("parses minutes from the URL", () => {
    expect(parseMinutes("60")).toBe(60);
    expect(parseMinutes("15")).toBe(15);
    expect(parseMinutes(null)).toBe(1440);
    expect(parseMinutes("0")).toBe(1440);
    expect(parseMinutes("-5")).toBe(1440);
    expect(parseMinutes("1e3")).toBe(1440);
    expect(parseMinutes("99999999")).toBe(1440);
  });
  it("labels ranges", () => {
    expect(rangeLabel(1440)).toBe("1 day");
    expect(rangeLabel(15)).toBe("15 minutes");
    expect(rangeLabel(180)).toBe("3 hours");
    expect(rangeLabel(4320)).toBe("3 days");
    expect(rangeLabel(1)).toBe("1 minute");
  });
  it("widens to the next period", () => {
    expect(widerPeriod(60)?.minutes).toBe(120);
    expect(widerPeriod(15)?.minutes).toBe(60);
    expect(widerPeriod(43200)).toBeNull();
  });
});

describe("clauses", () => {
  it("quotes and escapes the value", () => {
    expect(fieldClause("hostname", "web1")).toBe('hostname:"web1"');
    expect(fieldClause("summary", 'say "hi" \\o/')).toBe('summary:"say \\"hi\\" \\\\o/"');
  });
  it("adds with AND", () => {
    expect(addClause("", 'category:"syslog"')).toBe('category:"syslog"');
    expect(addClause("*", 'category:"syslog"')).toBe('category:"syslog"');
    expect(addClause("hostname:a", 'category:"syslog"')).toBe('hostname:a AND category:"syslog"');
  });
  it("wraps a query with OR", () => {
    expect(addClause("a OR b", "c:d")).toBe("(a OR b) AND c:d");
    expect(addClause("a || b", "c:d")).toBe("(a || b) AND c:d");
    expect(addClause("(a) OR(b)", "c:d")).toBe("((a) OR(b)) AND c:d");
    expect(addClause('summary:"this OR that"', "c:d")).toBe('summary:"this OR that" AND c:d');
    expect(addClause("ORACLE", "c:d")).toBe("ORACLE AND c:d");
  });
  it("does not add a clause twice", () => {
    expect(addClause('a AND c:"d"', 'c:"d"')).toBe('a AND c:"d"');
    expect(addClause('c:"d"', 'c:"d"')).toBe('c:"d"');
  });
});

describe("fieldText", () => {
  const source = { a: "x", n: 3, details: { program: "sshd", list: [1, 2] }, nil: null };
  it("reads dotted paths", () => {
    expect(fieldText(source, "a")).toBe("x");
    expect(fieldText(source, "n")).toBe("3");
    expect(fieldText(source, "details.program")).toBe("sshd");
    expect(fieldText(source, "details.list")).toBe("[1,2]");
    expect(fieldText(source, "details.missing")).toBe("");
    expect(fieldText(source, "nil")).toBe("");
    expect(fieldText(source, "a.b")).toBe("");
  });
});
