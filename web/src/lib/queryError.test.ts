import { describe, expect, it } from "vitest";
import { byteOffsetToIndex, caretMarker, markQueryError, parseQueryError } from "./queryError";

describe("parseQueryError", () => {
  it("reads the position and the message", () => {
    expect(
      parseQueryError("invalid query string at position 9: unbalanced parenthesis: '(' is not closed (found end of query)"),
    ).toEqual({ position: 9, message: "unbalanced parenthesis: '(' is not closed (found end of query)" });
  });
  it("refuses other errors", () => {
    expect(parseQueryError("minutes: must be between 1 and 5270400")).toBeNull();
    expect(parseQueryError("")).toBeNull();
  });
  it("keeps a message spanning lines", () => {
    expect(parseQueryError("invalid query string at position 0: a\nb")?.message).toBe("a\nb");
  });
});

describe("byteOffsetToIndex", () => {
  it("is the identity on ASCII", () => {
    expect(byteOffsetToIndex("category:(a", 9)).toBe(9);
  });
  it("counts multi-byte characters in bytes", () => {
    // "éé" is 4 bytes; the API's position 5 is the "(" at index 3.
    expect(byteOffsetToIndex("éé:(a", 5)).toBe(3);
    // An emoji is 4 bytes and 2 UTF-16 units.
    expect(byteOffsetToIndex("😀:(a", 5)).toBe(3);
    expect(byteOffsetToIndex("中:x", 3)).toBe(1);
  });
  it("clamps to the end", () => {
    expect(byteOffsetToIndex("abc", 99)).toBe(3);
    expect(byteOffsetToIndex("", 4)).toBe(0);
  });
});

describe("caretMarker", () => {
  it("puts the caret under the position", () => {
    expect(caretMarker("category:(a", 9)).toEqual({ line: "category:(a", caret: "         ^", lineNumber: 1, column: 10 });
  });
  it("marks the end of the query", () => {
    expect(caretMarker("a:", 2).caret).toBe("  ^");
  });
  it("keeps tabs so the caret lines up", () => {
    expect(caretMarker("\ta:(b", 3).caret).toBe("\t  ^");
  });
  it("shows only the line with the problem", () => {
    expect(caretMarker("a:b AND\nc:(d", 10)).toEqual({ line: "c:(d", caret: "  ^", lineNumber: 2, column: 3 });
  });
  it("counts characters, not UTF-16 units, before the caret", () => {
    expect(caretMarker("😀:(a", 3).caret).toBe("  ^");
  });
});

describe("markQueryError", () => {
  it("marks an API answer on its query", () => {
    const marked = markQueryError("foo AND (bar", "invalid query string at position 8: unbalanced parenthesis");
    expect(marked?.caret).toBe("        ^");
    expect(marked?.message).toBe("unbalanced parenthesis");
  });
  it("is null for another error", () => {
    expect(markQueryError("x", "unknown field")).toBeNull();
  });
});
