import { describe, expect, it } from "vitest";
import { pollUnlessFailed } from "./poll";

describe("pollUnlessFailed", () => {
  const poll = pollUnlessFailed(5000);
  it("polls while loading or with data", () => {
    expect(poll({ state: { status: "pending", data: undefined } })).toBe(5000);
    expect(poll({ state: { status: "success", data: {} } })).toBe(5000);
    expect(poll({ state: { status: "error", data: {} } })).toBe(5000);
  });
  it("stops once it failed without data", () => {
    expect(poll({ state: { status: "error", data: undefined } })).toBe(false);
  });
});
