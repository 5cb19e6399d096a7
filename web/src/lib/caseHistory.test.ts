import { describe, expect, it } from "vitest";
import { describeChange, historyEntries } from "./caseHistory";
import type { Change } from "../api/types";

const change = (seq: number, kind: Change["kind"], record: Record<string, unknown> | null, by = "a@example.com"): Change => ({
  seq,
  collection: "incidents",
  id: "i1",
  version: seq,
  kind,
  by,
  at: `2026-12-07T07:0${seq}:00Z`,
  record,
});

describe("describeChange", () => {
  it("describes field changes", () => {
    expect(describeChange({ summary: "a", phase: "Identification" }, { summary: "b", phase: "Identification" })).toEqual([
      "summary: “a” → “b”",
    ]);
    expect(describeChange({ notes: [{ summary: "n1" }] }, { notes: [{ summary: "n1" }, { summary: "n2" }] })).toEqual(["notes: + n2"]);
    expect(describeChange({ tags: ["x", "y"] }, { tags: ["y"] })).toEqual(["tags: − x"]);
    expect(describeChange({ description: "x" }, { description: "" })).toEqual(["description: “x” → (empty)"]);
    expect(describeChange({ dateClosed: "" }, { dateClosed: "2026-12-07T00:00:00Z" }, (iso) => `<${iso}>`)).toEqual([
      "dateClosed: (empty) → <2026-12-07T00:00:00Z>",
    ]);
  });
  it("lists what a new record holds", () => {
    expect(describeChange(null, { summary: "s", tags: [], references: ["/alert/1"], timeline: {} })).toEqual([
      "summary: “s”",
      "references: + /alert/1",
    ]);
  });
});

describe("historyEntries", () => {
  it("orders newest first and compares with the change before", () => {
    const entries = historyEntries([
      change(2, "updated", { summary: "b" }, "b@example.com"),
      change(1, "created", { summary: "a" }),
      change(3, "deleted", null),
    ]);
    expect(entries.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(entries[1]!.lines).toEqual(["summary: “a” → “b”"]);
    expect(entries[1]!.by).toBe("b@example.com");
    expect(entries[0]!.lines).toEqual(["deleted"]);
  });
});
