import { describe, expect, it } from "vitest";
import {
  afterSave,
  applyRemote,
  conflictFields,
  dirtyFields,
  fieldsOf,
  initialState,
  mergeConflicts,
  problems,
  restoreDraft,
  same,
  takeTheirs,
  toForm,
  toWrite,
  editField,
  type CaseForm,
} from "./caseForm";

const fields = fieldsOf("incidents");
const record = {
  id: "i1",
  version: 3,
  summary: "Phishing wave",
  description: "line one\nline two",
  phase: "Identification",
  dateOpened: "2026-12-07T07:07:34.010828Z",
  tags: ["action.hacking.variety.Brute force"],
  references: ["/alert/a1"],
  theories: [{ summary: "t", status: "verified" }],
  notes: [{ summary: "n", date: "2026-12-07T07:07:00.000000Z" }],
  lessons: [{ summary: "l" }],
  creator: "a@example.com",
};
const form = toForm(record);
const with_ = (f: CaseForm, patch: Partial<CaseForm>): CaseForm => ({ ...f, ...patch });

describe("toForm / toWrite", () => {
  it("normalises a record and writes only the collection's fields", () => {
    expect(form.theories).toEqual([{ summary: "t", status: "verified", evidence: "" }]);
    expect(form.mitigations).toEqual([]);
    expect(form.timeline).toEqual({ dateBegin: "", dateEnd: "" });
    const body = toWrite(form, fields);
    expect(body).not.toHaveProperty("indicators");
    expect(body).not.toHaveProperty("timeline");
    expect(body).not.toHaveProperty("dateClosed");
    expect(body.theories).toEqual([{ summary: "t", status: "verified" }]);
    expect(body.notes).toEqual([{ summary: "n", date: "2026-12-07T07:07:00.000000Z" }]);
    expect(body.dateOpened).toBe("2026-12-07T07:07:34.010828Z");
  });
  it("leaves drafts (empty new items) out and keeps mitigations' flags", () => {
    const f = with_(form, {
      notes: [...form.notes, { summary: " ", date: "2026-12-07T08:00:00Z", by: "me" }],
      references: [...form.references, ""],
      mitigations: [{ summary: "m", temporary: true, status: "" }],
    });
    const body = toWrite(f, fields);
    expect(body.notes).toHaveLength(1);
    expect(body.references).toEqual(["/alert/a1"]);
    expect(body.mitigations).toEqual([{ summary: "m", temporary: true }]);
  });
  it("writes investigations' own fields", () => {
    const inv = toForm({ summary: "x", timeline: { dateBegin: "2026-12-07T00:00:00Z" }, indicators: [{ value: "1.2.3.4" }] });
    const body = toWrite(inv, fieldsOf("investigations"));
    expect(body.timeline).toEqual({ dateBegin: "2026-12-07T00:00:00Z" });
    expect(body.indicators).toEqual([{ value: "1.2.3.4" }]);
  });
});

describe("same", () => {
  it("compares as the server stores", () => {
    expect(same("summary", "Phishing ", "Phishing")).toBe(true);
    expect(same("dateOpened", "2026-12-07T07:07:00.000Z", "2026-12-07T07:07:00.000000Z")).toBe(true);
    expect(same("notes", [...form.notes, { summary: "", date: "x", by: "" }], form.notes)).toBe(true);
    expect(same("theories", [{ summary: "t", status: "", evidence: "" }], [{ summary: "t" }])).toBe(true);
    expect(same("summary", "a", "b")).toBe(false);
  });
});

describe("problems", () => {
  it("asks for a summary and for required item fields", () => {
    expect(problems(with_(form, { summary: " " }), fields)).toEqual(["Summary is required."]);
    const f = with_(form, { theories: [{ summary: "", status: "", evidence: "why" }] });
    expect(problems(f, fields)).toEqual(["Theory 1: summary is required."]);
    expect(problems(form, fields)).toEqual([]);
  });
});

describe("applyRemote", () => {
  const start = initialState(form, 3, "a@example.com");

  it("takes remote values of untouched fields and keeps local edits", () => {
    const edited = editField(start, "description", "line one\nline two\nmine");
    const remote = with_(form, { summary: "Phishing wave (2)", phase: "Containment" });
    const { state, applied, conflicts } = applyRemote(edited, remote, 4, "b@example.com", fields);
    expect(applied.sort()).toEqual(["phase", "summary"]);
    expect(conflicts).toEqual([]);
    expect(state.local.summary).toBe("Phishing wave (2)");
    expect(state.local.description).toBe("line one\nline two\nmine");
    expect(state.version).toBe(4);
    expect(dirtyFields(state, fields)).toEqual(["description"]);
  });

  it("reports a field changed on both sides as a conflict and keeps its base", () => {
    const edited = editField(start, "description", "line one\nline two\nmine");
    const remote = with_(form, { description: "line one\nline two\ntheirs" });
    const { state, conflicts } = applyRemote(edited, remote, 4, "b@example.com", fields);
    expect(conflicts).toEqual(["description"]);
    expect(state.base.description).toBe("line one\nline two");
    expect(conflictFields(state, fields)).toEqual(["description"]);
    const merged = mergeConflicts(state, fields);
    expect(merged.state.local.description).toBe("line one\nline two\nmine\ntheirs");
    expect(conflictFields(merged.state, fields)).toEqual([]);
    expect(takeTheirs(state, "description").local.description).toBe("line one\nline two\ntheirs");
  });

  it("ignores versions already known", () => {
    const remote = with_(form, { summary: "old" });
    expect(applyRemote(start, remote, 3, "b", fields).state).toBe(start);
  });

  it("keeps drafts of a list being written", () => {
    const edited = editField(start, "notes", [...form.notes, { summary: "", date: "", by: "me" }]);
    const remote = with_(form, { notes: [{ summary: "theirs", date: "", by: "" }] });
    const { state } = applyRemote(edited, remote, 4, "b", fields);
    expect(state.local.notes.map((n) => n.summary)).toEqual(["theirs", ""]);
  });

  it("converges when both made the same change", () => {
    const edited = editField(start, "phase", "Closed");
    const { state } = applyRemote(edited, with_(form, { phase: "Closed" }), 4, "b", fields);
    expect(dirtyFields(state, fields)).toEqual([]);
    expect(state.base.phase).toBe("Closed");
  });
});

describe("afterSave", () => {
  const start = initialState(form, 3, "a");
  it("keeps what the user typed while the save was on its way", () => {
    const sent = editField(start, "summary", "Phishing wave 2").local;
    const typing = editField(editField(start, "summary", "Phishing wave 2"), "description", "more");
    const result = with_(sent, { summary: "Phishing wave 2" });
    const state = afterSave(typing, sent, result, 4, "a", fields);
    expect(state.local.description).toBe("more");
    expect(dirtyFields(state, fields)).toEqual(["description"]);
    expect(state.version).toBe(4);
  });
  it("keeps the user's spacing when the server trims", () => {
    const typed = editField(start, "summary", "Phishing ");
    const state = afterSave(typed, typed.local, with_(typed.local, { summary: "Phishing" }), 4, "a", fields);
    expect(state.local.summary).toBe("Phishing ");
    expect(dirtyFields(state, fields)).toEqual([]);
  });
  it("applies a newer version that arrived during the save", () => {
    const typed = editField(start, "summary", "S2");
    const theirs = with_(typed.local, { phase: "Recovery" });
    // v5 (theirs, built on our v4) arrived before the answer to our write.
    const seen = { ...typed, server: theirs, version: 5, modifiedBy: "b" };
    const state = afterSave(seen, typed.local, typed.local, 4, "a", fields);
    expect(state.version).toBe(5);
    expect(state.local.phase).toBe("Recovery");
    expect(state.local.summary).toBe("S2");
    expect(dirtyFields(state, fields)).toEqual([]);
  });
});

describe("restoreDraft", () => {
  it("merges a stored draft onto a newer record", () => {
    const start = initialState(form, 3, "a");
    const draft = editField(start, "description", "line one\nline two\nmine");
    const newer = with_(form, { description: "theirs\nline one\nline two", summary: "new" });
    const state = restoreDraft({ version: 3, base: draft.base, local: draft.local }, newer, 5, "b", fields);
    expect(state.local.summary).toBe("new");
    expect(conflictFields(state, fields)).toEqual(["description"]);
    expect(mergeConflicts(state, fields).state.local.description).toBe("theirs\nline one\nline two\nmine");
  });
});
