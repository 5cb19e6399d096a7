import { describe, expect, it } from "vitest";
import { firstPageParams, nextPageParams, pageNumber, pagerState, previousPageParams } from "./pager";

describe("pager", () => {
  const start = new URLSearchParams("q=a");
  it("starts on the first page", () => {
    expect(pagerState(start)).toEqual({ cursor: undefined, back: [] });
    expect(pageNumber(start)).toBe(1);
  });
  it("goes forward and back, keeping other parameters", () => {
    const two = nextPageParams(start, "c2");
    expect(two.get("q")).toBe("a");
    expect(pagerState(two)).toEqual({ cursor: "c2", back: [undefined] });
    const three = nextPageParams(two, "c3");
    expect(pagerState(three)).toEqual({ cursor: "c3", back: [undefined, "c2"] });
    expect(pageNumber(three)).toBe(3);
    const backTwo = previousPageParams(three);
    expect(pagerState(backTwo)).toEqual({ cursor: "c2", back: [undefined] });
    const backOne = previousPageParams(backTwo);
    expect(backOne.toString()).toBe("q=a");
    expect(previousPageParams(backOne).toString()).toBe("q=a");
  });
  it("survives a link without back", () => {
    const shared = new URLSearchParams("cursor=c5");
    expect(pagerState(shared)).toEqual({ cursor: "c5", back: [undefined] });
    expect(previousPageParams(shared).toString()).toBe("");
  });
  it("returns to the first page", () => {
    const three = nextPageParams(nextPageParams(start, "c2"), "c3");
    expect(firstPageParams(three).toString()).toBe("q=a");
  });
});
