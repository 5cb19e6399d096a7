import { describe, expect, it } from "vitest";
import { groupTags, incidentsWithTag, matchesFilter, pivot } from "./veris";

describe("pivot", () => {
  const rows = [
    { tags: "action.hacking.variety.Brute force", phase: "Identification" as const },
    { tags: "action.hacking.variety.Brute force", phase: "Closed" as const },
    { tags: "action.hacking.variety.Brute force", phase: "Closed" as const },
    { tags: "actor.external.motive.Financial", phase: "Containment" as const },
  ];
  it("counts incidents by tag and phase, with totals", () => {
    const p = pivot(rows);
    expect(p.rows.map((r) => r.tag)).toEqual(["action.hacking.variety.Brute force", "actor.external.motive.Financial"]);
    expect(p.rows[0]!.byPhase).toEqual({ Identification: 1, Closed: 2 });
    expect(p.rows[0]!.total).toBe(3);
    expect(p.totals).toEqual({ Identification: 1, Closed: 2, Containment: 1 });
    expect(p.total).toBe(4);
    expect(p.phases[0]).toBe("Identification");
  });
  it("filters rows by every word", () => {
    expect(pivot(rows, "BRUTE hacking").rows).toHaveLength(1);
    expect(pivot(rows, "nothing").total).toBe(0);
  });
});

describe("groupTags", () => {
  it("groups by top-level path", () => {
    const groups = groupTags(["actor.x", "action.a", "action.b", "asset.c"], "");
    expect(groups).toEqual([
      { group: "action", tags: ["action.a", "action.b"] },
      { group: "actor", tags: ["actor.x"] },
      { group: "asset", tags: ["asset.c"] },
    ]);
    expect(groupTags(["actor.x", "action.a"], "act x")).toEqual([{ group: "actor", tags: ["actor.x"] }]);
  });
});

describe("links", () => {
  it("encodes the tag", () => {
    expect(incidentsWithTag("action.hacking.variety.Brute force")).toBe("/incidents?tags=action.hacking.variety.Brute+force");
    expect(matchesFilter("abc", "")).toBe(true);
  });
});
