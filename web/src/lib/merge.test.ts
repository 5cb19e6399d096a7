import { describe, expect, it } from "vitest";
import { commonPairs, mergeLine, mergeList, mergeText, mergeValue, unionSeq } from "./merge";

describe("commonPairs", () => {
  it("finds a longest common subsequence", () => {
    const a = "abcabba".split("");
    const b = "cbabac".split("");
    const pairs = commonPairs(a, b);
    expect(pairs).toHaveLength(4);
    for (const [i, j] of pairs) expect(a[i]).toBe(b[j]);
    for (let n = 1; n < pairs.length; n++) {
      expect(pairs[n]![0]).toBeGreaterThan(pairs[n - 1]![0]);
      expect(pairs[n]![1]).toBeGreaterThan(pairs[n - 1]![1]);
    }
  });
  it("handles empty and identical sequences", () => {
    expect(commonPairs([], ["a"])).toEqual([]);
    expect(commonPairs(["a", "b"], ["a", "b"])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
  it("gives up past the edit limit without failing", () => {
    const a = Array.from({ length: 50 }, (_, n) => `a${n}`);
    const b = Array.from({ length: 50 }, (_, n) => `b${n}`);
    expect(commonPairs(a, b, 10)).toEqual([]);
  });
});

describe("unionSeq", () => {
  it("keeps common items once", () => {
    expect(unionSeq(["x", "a", "y"], ["x", "b", "y"])).toEqual(["x", "a", "b", "y"]);
    expect(unionSeq(["b", "a"], ["a"])).toEqual(["b", "a"]);
  });
});

describe("mergeText", () => {
  const base = "one\ntwo\nthree\nfour\nfive";

  it("takes the only side that changed", () => {
    expect(mergeText(base, base, "one\n2\nthree\nfour\nfive")).toEqual({ text: "one\n2\nthree\nfour\nfive", conflicts: 0 });
    expect(mergeText(base, "one\n2\nthree\nfour\nfive", base)).toEqual({ text: "one\n2\nthree\nfour\nfive", conflicts: 0 });
  });

  it("merges disjoint edits", () => {
    const local = "one\nTWO\nthree\nfour\nfive";
    const theirs = "one\ntwo\nthree\nfour\nFIVE";
    expect(mergeText(base, local, theirs)).toEqual({ text: "one\nTWO\nthree\nfour\nFIVE", conflicts: 0 });
  });

  it("merges additions at the end on both sides, local first", () => {
    const merged = mergeText("a\nb", "a\nb\nmine", "a\nb\ntheirs");
    expect(merged.text).toBe("a\nb\nmine\ntheirs");
    expect(merged.conflicts).toBe(1);
  });

  it("keeps both versions of the same line edited on both sides", () => {
    const merged = mergeText(base, "one\ntwo by Alice\nthree\nfour\nfive", "one\ntwo by Bob\nthree\nfour\nfive");
    expect(merged.conflicts).toBe(1);
    expect(merged.text).toBe("one\ntwo by Alice\ntwo by Bob\nthree\nfour\nfive");
  });

  it("keeps both texts when both replace a one-line description", () => {
    const merged = mergeText("Initial description", "Alice was here", "Bob was here");
    expect(merged.text).toContain("Alice was here");
    expect(merged.text).toContain("Bob was here");
    const appended = mergeText("Initial", "Initial alpha", "Initial beta");
    expect(appended.text).toContain("Initial alpha");
    expect(appended.text).toContain("Initial beta");
  });

  it("merges word-level edits of the same line when they do not overlap", () => {
    const merged = mergeText("the attacker used ssh", "the remote attacker used ssh", "the attacker used ssh and rdp");
    expect(merged).toEqual({ text: "the remote attacker used ssh and rdp", conflicts: 0 });
  });

  it("honours a deletion made on one side", () => {
    const merged = mergeText(base, "one\nthree\nfour\nfive", "one\ntwo\nthree\nfour\nfive\nsix");
    expect(merged).toEqual({ text: "one\nthree\nfour\nfive\nsix", conflicts: 0 });
  });

  it("never drops an edit that the other side deleted", () => {
    const merged = mergeText(base, "one\nthree\nfour\nfive", "one\ntwo (edited)\nthree\nfour\nfive");
    expect(merged.text).toContain("two (edited)");
  });

  it("deletes what both deleted", () => {
    expect(mergeText(base, "one\nfive", "one\nfive").text).toBe("one\nfive");
    // Overlapping deletions that kept different lines conflict: both kept lines stay.
    expect(mergeText(base, "one\nthree\nfive", "one\nfour\nfive").text).toBe("one\nthree\nfour\nfive");
  });

  it("handles empty texts and trailing newlines", () => {
    expect(mergeText("", "mine", "theirs").text).toBe("mine\ntheirs");
    expect(mergeText("a\n", "a\nb\n", "a\nc\n").text).toBe("a\nb\nc\n");
    expect(mergeText("a", "", "a").text).toBe("");
  });

  it("is idempotent", () => {
    const local = "one\ntwo by Alice\nthree\nfour\nfive";
    const theirs = "zero\none\ntwo by Bob\nthree\nfour\nfive";
    const once = mergeText(base, local, theirs).text;
    expect(mergeText(base, once, theirs).text).toBe(once);
    expect(mergeText(base, once, once).text).toBe(once);
    expect(mergeText(base, local, local).text).toBe(local);
    expect(mergeText(theirs, once, theirs).text).toBe(once);
  });

  it("keeps every line of both sides in a big conflicting edit", () => {
    const lines = (tag: string) => Array.from({ length: 300 }, (_, n) => `${tag} ${n}`).join("\n");
    const merged = mergeText(lines("base"), lines("local"), lines("theirs")).text;
    for (let n = 0; n < 300; n++) {
      expect(merged).toContain(`local ${n}`);
      expect(merged).toContain(`theirs ${n}`);
    }
  });
});

describe("mergeLine", () => {
  it("merges words, keeping both when they clash", () => {
    expect(mergeLine("Phishing wave", "Big phishing wave", "Phishing wave")).toEqual({ text: "Big phishing wave", conflicts: 0 });
    expect(mergeLine("Phishing wave", "Phishing wave alpha", "Phishing wave beta")).toEqual({
      text: "Phishing wave alpha beta",
      conflicts: 1,
    });
    expect(mergeLine("Phishing wave", "Big wave", "Phishing wave 2").text).toBe("Big wave 2");
  });
  it("is idempotent", () => {
    const once = mergeLine("Phishing wave", "Phishing wave alpha", "Phishing wave beta").text;
    expect(mergeLine("Phishing wave", once, "Phishing wave beta").text).toBe(once);
  });
});

describe("mergeList", () => {
  it("keeps both sides' additions", () => {
    expect(mergeList(["a"], ["a", "mine"], ["a", "theirs"])).toEqual(["a", "theirs", "mine"]);
    expect(mergeList([], ["mine"], ["theirs"])).toEqual(["theirs", "mine"]);
  });
  it("honours deletions made by one side only", () => {
    expect(mergeList(["a", "b", "c"], ["a", "c"], ["a", "b", "c", "d"])).toEqual(["a", "c", "d"]);
    expect(mergeList(["a", "b", "c"], ["a", "b", "c", "x"], ["b", "c"])).toEqual(["b", "c", "x"]);
  });
  it("keeps both versions of an item edited on both sides", () => {
    const base = [{ summary: "n" }];
    const merged = mergeList(base, [{ summary: "n by Alice" }], [{ summary: "n by Bob" }]);
    expect(merged).toEqual([{ summary: "n by Bob" }, { summary: "n by Alice" }]);
  });
  it("keeps an edit the other side deleted", () => {
    expect(mergeList(["a", "b"], ["a", "b2"], ["a"])).toEqual(["a", "b2"]);
  });
  it("counts copies", () => {
    expect(mergeList(["x", "x"], ["x"], ["x", "x", "y"])).toEqual(["x", "y"]);
    expect(mergeList(["x"], ["x", "x"], ["x"])).toEqual(["x", "x"]);
  });
  it("adds the same item once when both added it", () => {
    expect(mergeList(["a"], ["a", "n"], ["a", "n"])).toEqual(["a", "n"]);
    expect(mergeList(["a"], ["a", "n", "m"], ["a", "n"])).toEqual(["a", "n", "m"]);
  });
  it("takes their order when only they changed", () => {
    expect(mergeList(["a", "b"], ["a", "b"], ["b", "a"])).toEqual(["b", "a"]);
  });
  it("is idempotent", () => {
    const base = ["a", "b", "c"];
    const local = ["a", "c", "L"];
    const theirs = ["a", "b", "c", "T"];
    const once = mergeList(base, local, theirs);
    expect(mergeList(base, once, theirs)).toEqual(once);
    expect(mergeList(theirs, once, theirs)).toEqual(once);
    expect(mergeList(base, local, local)).toEqual(local);
  });
  it("uses the key for content", () => {
    const key = (item: { v: string; at?: string }) => item.v;
    expect(mergeList([{ v: "a", at: "1" }], [{ v: "a", at: "1" }, { v: "b" }], [{ v: "a", at: "2" }])).toEqual([
      { v: "a", at: "2" },
      { v: "b" },
    ]);
    expect(mergeList([{ v: "a" }], [{ v: "a" }, { v: "b" }], [{ v: "c" }], key)).toEqual([{ v: "c" }, { v: "b" }]);
  });
});

describe("mergeValue", () => {
  const same = (a: string, b: string) => a === b;
  it("takes the side that changed, local on a conflict", () => {
    expect(mergeValue("a", "a", "t", same)).toEqual({ value: "t", conflict: false });
    expect(mergeValue("a", "l", "a", same)).toEqual({ value: "l", conflict: false });
    expect(mergeValue("a", "x", "x", same)).toEqual({ value: "x", conflict: false });
    expect(mergeValue("a", "l", "t", same)).toEqual({ value: "l", conflict: true });
  });
});
