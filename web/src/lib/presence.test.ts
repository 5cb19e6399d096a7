import { describe, expect, it } from "vitest";
import { othersOnRecord } from "./presence";

describe("othersOnRecord", () => {
  it("leaves the user out and keeps each other user's latest activity", () => {
    const people = othersOnRecord(
      [
        { user: "me@example.com", activity: "editing", expires: "2026-12-07T10:00:30Z" },
        { user: "bob@example.com", activity: "editing", expires: "2026-12-07T10:00:10Z" },
        { user: "bob@example.com", activity: "viewing", expires: "2026-12-07T10:00:25Z" },
        { user: "alice@example.com", activity: "viewing", expires: "2026-12-07T10:00:05Z" },
        { user: "alice@example.com", activity: "editing", expires: "2026-12-07T10:00:29Z" },
      ],
      "me@example.com",
    );
    expect(people.map((p) => `${p.user} (${p.activity})`)).toEqual(["alice@example.com (editing)", "bob@example.com (viewing)"]);
  });
});
