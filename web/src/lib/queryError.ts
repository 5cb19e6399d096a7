/**
 * The search's "bad query string" answer (`invalid query string at position 9: unbalanced
 * parenthesis: ...`): where the problem is, and a caret under it to show with the query.
 * The API counts the position in UTF-8 bytes; JavaScript strings count UTF-16 units.
 */

export interface QueryStringError {
  /** Byte offset (UTF-8) of the problem in the query string, as the API names it. */
  position: number;
  /** What is wrong there. */
  message: string;
}

const PATTERN = /invalid query string at position (\d+):\s*([\s\S]*)$/;

/** The position and message of a query string error; null for any other error text. */
export function parseQueryError(text: string): QueryStringError | null {
  const match = PATTERN.exec(text);
  if (!match) return null;
  const position = Number(match[1]);
  if (!Number.isSafeInteger(position)) return null;
  return { position, message: (match[2] ?? "").trim() };
}

/** The UTF-16 index in `text` of the UTF-8 byte offset `bytes` (clamped to the text's end). */
export function byteOffsetToIndex(text: string, bytes: number): number {
  let seen = 0;
  let index = 0;
  while (index < text.length && seen < bytes) {
    const code = text.codePointAt(index) ?? 0;
    seen += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    index += code >= 0x10000 ? 2 : 1;
  }
  return index;
}

export interface CaretMarker {
  /** The line of the query holding the problem. */
  line: string;
  /** Blanks up to the problem, then `^` (tabs kept, so that it lines up under the line). */
  caret: string;
  /** 1-based line number, and 1-based column in characters (code points). */
  lineNumber: number;
  column: number;
}

/** The query line with the problem at UTF-16 index `index`, and a caret line under it. */
export function caretMarker(query: string, index: number): CaretMarker {
  const at = Math.max(0, Math.min(index, query.length));
  const lineStart = query.lastIndexOf("\n", at - 1) + 1;
  const newline = query.indexOf("\n", at);
  const lineEnd = newline === -1 ? query.length : newline;
  const line = query.slice(lineStart, lineEnd).replace(/\r$/, "");
  const before = Array.from(query.slice(lineStart, at));
  const caret = `${before.map((c) => (c === "\t" ? "\t" : " ")).join("")}^`;
  const lineNumber = query.slice(0, lineStart).split("\n").length;
  return { line, caret, lineNumber, column: before.length + 1 };
}

/** The marker for an error answer about `query`; null when the error is not a query string one. */
export function markQueryError(query: string, errorText: string): (CaretMarker & QueryStringError) | null {
  const parsed = parseQueryError(errorText);
  if (!parsed) return null;
  return { ...caretMarker(query, byteOffsetToIndex(query, parsed.position)), ...parsed };
}
