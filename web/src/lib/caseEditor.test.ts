import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CaseEditor, type DraftStore } from "./caseEditor";
import { fieldsOf, toForm, type StoredDraft } from "./caseForm";

const fields = fieldsOf("incidents");

/** A server with the API's optimistic concurrency: a stale version is a 409 with `current`. */
class FakeServer {
  record: Record<string, unknown>;
  puts: Record<string, unknown>[] = [];
  fail: { status: number; message: string } | null = null;
  constructor(record: Record<string, unknown>) {
    this.record = { version: 1, modifiedBy: "a@example.com", ...record };
  }
  write(by: string, patch: Record<string, unknown>): Record<string, unknown> {
    this.record = { ...this.record, ...patch, version: (this.record.version as number) + 1, modifiedBy: by };
    return this.record;
  }
  put = (by: string) => async (body: Record<string, unknown>) => {
    this.puts.push(body);
    await Promise.resolve();
    if (this.fail) throw Object.assign(new Error(this.fail.message), { status: this.fail.status, body: { error: this.fail.message } });
    if (body.version !== this.record.version) {
      throw Object.assign(new Error("changed"), { status: 409, body: { error: "changed", current: this.record } });
    }
    const trimmed = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "version").map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]));
    return this.write(by, trimmed);
  };
}

class MemoryDrafts implements DraftStore {
  value: StoredDraft | null = null;
  load() {
    return this.value;
  }
  save(draft: StoredDraft) {
    this.value = JSON.parse(JSON.stringify(draft)) as StoredDraft;
  }
  clear() {
    this.value = null;
  }
}

const initial = { id: "i1", summary: "Phishing", description: "Initial description", phase: "Identification" };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CaseEditor", () => {
  it("autosaves after a second of idle", async () => {
    const server = new FakeServer(initial);
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a@example.com") });
    editor.start();
    editor.edit("summary", "Phishing wave");
    expect(editor.getSnapshot().status).toBe("unsaved");
    await vi.advanceTimersByTimeAsync(500);
    editor.edit("summary", "Phishing wave!");
    await vi.advanceTimersByTimeAsync(900);
    expect(server.puts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(server.puts).toHaveLength(1);
    expect(server.puts[0]).toMatchObject({ summary: "Phishing wave!", version: 1 });
    expect(editor.getSnapshot().status).toBe("saved");
    expect(editor.getSnapshot().state.version).toBe(2);
  });

  it("does not autosave an invalid form", async () => {
    const server = new FakeServer(initial);
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a") });
    editor.start();
    editor.edit("summary", "");
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.puts).toHaveLength(0);
    expect(editor.getSnapshot().status).toBe("invalid");
    expect(editor.getSnapshot().message).toContain("Summary is required");
  });

  it("merges on a 409 and saves again with the current version", async () => {
    const server = new FakeServer(initial);
    const alice = new CaseEditor({ fields, record: server.record, put: server.put("alice@example.com") });
    alice.edit("description", "Initial description alpha from Alice");
    server.write("bob@example.com", { description: "Initial description beta from Bob" });
    await alice.save();
    const snap = alice.getSnapshot();
    expect(server.puts).toHaveLength(2);
    expect(server.puts[1]!.version).toBe(2);
    expect(server.record.description).toContain("alpha from Alice");
    expect(server.record.description).toContain("beta from Bob");
    expect(snap.merged?.by).toBe("bob@example.com");
    expect(snap.merged?.fields).toEqual(["description"]);
    expect(snap.status).toBe("saved");
    expect(snap.state.local.description).toBe(server.record.description);
  });

  it("applies others' changes live and merges conflicts on save", async () => {
    const server = new FakeServer(initial);
    const alice = new CaseEditor({ fields, record: server.record, put: server.put("alice@example.com") });
    const bob = new CaseEditor({ fields, record: server.record, put: server.put("bob@example.com") });
    alice.start();
    bob.start();
    alice.edit("description", "Initial description\nAlice's line");
    bob.edit("description", "Initial description\nBob's line");
    bob.edit("phase", "Containment");
    await vi.advanceTimersByTimeAsync(1100); // both autosave: one wins, the other merges
    const final = server.record;
    // Bob's save came second: his merge puts his lines first, then Alice's.
    expect(final.description).toBe("Initial description\nBob's line\nAlice's line");
    expect(final.phase).toBe("Containment");
    // The feed brings each the other's version.
    alice.remote(final, final.version as number, final.modifiedBy as string);
    bob.remote(final, final.version as number, final.modifiedBy as string);
    for (const editor of [alice, bob]) {
      expect(editor.getSnapshot().state.local.description).toBe(final.description);
      expect(editor.getSnapshot().status).toBe("saved");
    }
    expect(alice.getSnapshot().updatedBy).toBe("bob@example.com");
    await vi.advanceTimersByTimeAsync(6000);
    expect(alice.getSnapshot().updatedBy).toBeNull();
  });

  it("shows a remote change to an edited field as a conflict until saved", async () => {
    const server = new FakeServer(initial);
    const alice = new CaseEditor({ fields, record: server.record, put: server.put("alice@example.com") });
    alice.edit("summary", "Phishing from Alice");
    const theirs = server.write("bob@example.com", { summary: "Phishing from Bob", phase: "Recovery" });
    alice.remote(theirs, 2, "bob@example.com");
    let snap = alice.getSnapshot();
    expect(snap.conflicts).toEqual(["summary"]);
    expect(snap.state.local.phase).toBe("Recovery");
    expect(snap.updatedBy).toBe("bob@example.com");
    await alice.save();
    snap = alice.getSnapshot();
    expect(snap.conflicts).toEqual([]);
    expect(server.record.summary).toBe("Phishing from Alice Bob");
    expect(server.puts).toHaveLength(1);
    expect(snap.merged?.clashes).toEqual(["summary"]);
  });

  it("ignores its own write coming back through the feed", async () => {
    const server = new FakeServer(initial);
    let echo: Record<string, unknown> | null = null;
    const put = server.put("a");
    const editor = new CaseEditor({
      fields,
      record: server.record,
      put: async (body) => {
        const result = await put(body);
        echo = result;
        editor.remote(result, result.version as number, "a"); // the feed is faster than the answer
        return result;
      },
    });
    editor.edit("summary", "Phishing 2");
    await editor.save();
    expect(echo).not.toBeNull();
    expect(editor.getSnapshot().updatedBy).toBeNull();
    expect(editor.getSnapshot().status).toBe("saved");
  });

  it("keeps the draft on a 401 and restores it after signing in again", async () => {
    const server = new FakeServer(initial);
    const drafts = new MemoryDrafts();
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a"), drafts });
    editor.edit("description", "My long analysis");
    server.fail = { status: 401, message: "expired" };
    await editor.save();
    expect(editor.getSnapshot().status).toBe("expired");
    expect(editor.getSnapshot().state.local.description).toBe("My long analysis");
    expect(drafts.value?.local.description).toBe("My long analysis");
    // Meanwhile someone else changes the summary; the page reloads after the sign-in.
    server.write("b", { summary: "Phishing (b)" });
    server.fail = null;
    const again = new CaseEditor({ fields, record: server.record, put: server.put("a"), drafts });
    const snap = again.getSnapshot();
    expect(snap.restored).toBe(true);
    expect(snap.state.local.description).toBe("My long analysis");
    expect(snap.state.local.summary).toBe("Phishing (b)");
    again.start();
    await vi.advanceTimersByTimeAsync(1100);
    expect(server.record.description).toBe("My long analysis");
    expect(server.record.summary).toBe("Phishing (b)");
    expect(drafts.value).toBeNull();
  });

  it("reports other failures and keeps the form", async () => {
    const server = new FakeServer(initial);
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a") });
    editor.edit("summary", "x");
    server.fail = { status: 400, message: "tags[0]: bad" };
    await editor.save();
    expect(editor.getSnapshot().status).toBe("error");
    expect(editor.getSnapshot().message).toContain("tags[0]: bad");
    expect(editor.getSnapshot().state.local.summary).toBe("x");
  });

  it("saves a second time when edited during a save", async () => {
    const server = new FakeServer(initial);
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a") });
    editor.start();
    editor.edit("summary", "one");
    const first = editor.save();
    editor.edit("description", "typed while saving");
    void editor.save();
    await first;
    await vi.advanceTimersByTimeAsync(10);
    expect(server.record.summary).toBe("one");
    expect(server.record.description).toBe("typed while saving");
    expect(editor.getSnapshot().status).toBe("saved");
  });

  it("stops editing a deleted record", () => {
    const server = new FakeServer(initial);
    const editor = new CaseEditor({ fields, record: server.record, put: server.put("a") });
    editor.deleted("b@example.com");
    editor.edit("summary", "x");
    expect(editor.getSnapshot().status).toBe("deleted");
    expect(toForm(server.record).summary).toBe("Phishing");
  });
});
