/**
 * Three-way merges for co-editing incidents and investigations: `base` is the version the
 * local edits started from, `local` the user's, `theirs` what the server holds now.
 *
 * - Text: line-based, like diff3. A hunk changed on one side takes that side; a hunk changed
 *   on both sides first tries a word-level merge of its lines, and when that conflicts too it
 *   keeps both versions (the local lines, then theirs; lines both have once). Never drops text.
 * - Lists: union by content (a multiset: the n-th copy of an item is its own entry), keeping
 *   both sides' additions and honouring a deletion made by one side only.
 * - Other values: the side that changed wins; when both changed, the local one (a conflict).
 */

/** The pairs `[i, j]` of a longest common subsequence of `a` and `b` (Myers' O(ND) diff). */
export function commonPairs(a: readonly string[], b: readonly string[], maxEdits = 4000): [number, number][] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < start; i++) pairs.push([i, i]);
  pairs.push(...myers(a, b, start, endA, start, endB, maxEdits));
  for (let i = 0; i < a.length - endA; i++) pairs.push([endA + i, endB + i]);
  return pairs;
}

/** The matched pairs of a[a0..a1) and b[b0..b1); none when they differ in more than `maxEdits`. */
function myers(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, maxEdits: number): [number, number][] {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) return [];
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    // Keep the diagonals -d..d of this step's starting V: enough to walk back.
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m, a0, b0);
    }
  }
  return [];
}

function backtrack(trace: Int32Array[], last: number, n: number, m: number, a0: number, b0: number): [number, number][] {
  const pairs: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = last; d > 0; d--) {
    const saved = trace[d]!;
    // saved[i] is V[k] for k = i - d - 1.
    const at = (k: number) => saved[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([a0 + x, b0 + y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push([a0 + x, b0 + y]);
  }
  return pairs.reverse();
}

function sameSeq(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * Both sequences in one: common items (a longest common subsequence) once, and between them
 * `a`'s own items, then `b`'s. `join` may add a separator between the two runs.
 */
export function unionSeq(a: readonly string[], b: readonly string[], join?: (left: string[], right: string[]) => string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  const flush = (toI: number, toJ: number) => {
    const left = a.slice(i, toI);
    const right = b.slice(j, toJ);
    out.push(...(join && left.length && right.length ? join(left, right) : [...left, ...right]));
    i = toI;
    j = toJ;
  };
  for (const [pi, pj] of commonPairs(a, b)) {
    flush(pi, pj);
    out.push(a[pi]!);
    i = pi + 1;
    j = pj + 1;
  }
  flush(a.length, b.length);
  return out;
}

export interface SeqMerge {
  result: string[];
  /** Hunks changed differently on both sides. */
  conflicts: number;
}

/**
 * diff3 over token sequences. `onConflict` resolves a hunk changed on both sides (default:
 * the union of both versions).
 */
export function merge3Seq(
  base: readonly string[],
  local: readonly string[],
  theirs: readonly string[],
  onConflict: (base: string[], local: string[], theirs: string[]) => { tokens: string[]; clean: boolean } = (_b, l, t) => ({
    tokens: unionSeq(l, t),
    clean: false,
  }),
): SeqMerge {
  const toLocal = new Map(commonPairs(base, local));
  const toTheirs = new Map(commonPairs(base, theirs));
  const result: string[] = [];
  let conflicts = 0;
  let i = 0;
  let j = 0;
  let k = 0;
  for (;;) {
    let t = 0;
    while (i + t < base.length && toLocal.get(i + t) === j + t && toTheirs.get(i + t) === k + t) t++;
    if (t > 0) {
      result.push(...base.slice(i, i + t));
      i += t;
      j += t;
      k += t;
      continue;
    }
    if (i >= base.length && j >= local.length && k >= theirs.length) break;
    let o = i;
    while (o < base.length && !(toLocal.has(o) && toTheirs.has(o))) o++;
    const jEnd = o < base.length ? toLocal.get(o)! : local.length;
    const kEnd = o < base.length ? toTheirs.get(o)! : theirs.length;
    const b = base.slice(i, o);
    const l = local.slice(j, jEnd);
    const th = theirs.slice(k, kEnd);
    if (sameSeq(l, b)) result.push(...th);
    else if (sameSeq(th, b) || sameSeq(l, th)) result.push(...l);
    else {
      const resolved = onConflict(b, l, th);
      if (!resolved.clean) conflicts++;
      result.push(...resolved.tokens);
    }
    i = o;
    j = jEnd;
    k = kEnd;
  }
  return { result, conflicts };
}

export interface TextMerge {
  text: string;
  /** Hunks both sides changed differently: both versions are in `text`. */
  conflicts: number;
}

/** Words and the spaces between them, as tokens ("a b" → ["a", " ", "b"]). */
function words(text: string): string[] {
  return text.split(/(\s+)/).filter((token) => token !== "");
}

/** Two runs of words side by side: a space between them when neither has one at the seam. */
function joinWords(left: string[], right: string[]): string[] {
  const seamHasSpace = /\s$/.test(left[left.length - 1] ?? "") || /^\s/.test(right[0] ?? "");
  return seamHasSpace ? [...left, ...right] : [...left, " ", ...right];
}

/** A word-level merge of one line (or a one-line field). */
export function mergeWords(base: string, local: string, theirs: string): TextMerge {
  const merged = merge3Seq(words(base), words(local), words(theirs), (_b, l, t) => ({
    tokens: unionSeq(l, t, joinWords),
    clean: false,
  }));
  return { text: merged.result.join(""), conflicts: merged.conflicts };
}

/** A line-based three-way merge of multi-line text (diff3, keeping both sides of a conflict). */
export function mergeText(base: string, local: string, theirs: string): TextMerge {
  if (local === theirs || theirs === base) return { text: local, conflicts: 0 };
  if (local === base) return { text: theirs, conflicts: 0 };
  const merged = merge3Seq(base.split("\n"), local.split("\n"), theirs.split("\n"), (b, l, t) => {
    // The same lines edited on both sides: a clean word-level merge of each line will do.
    if (b.length === l.length && b.length === t.length) {
      const lines = b.map((line, n) => mergeWords(line, l[n]!, t[n]!));
      if (lines.every((line) => line.conflicts === 0)) return { tokens: lines.map((line) => line.text), clean: true };
    }
    return { tokens: unionSeq(l, t), clean: false };
  });
  return { text: merged.result.join("\n"), conflicts: merged.conflicts };
}

/** A one-line field (a summary): a word-level merge; both versions' words when they clash. */
export function mergeLine(base: string, local: string, theirs: string): TextMerge {
  if (local === theirs || theirs === base) return { text: local, conflicts: 0 };
  if (local === base) return { text: theirs, conflicts: 0 };
  return mergeWords(base, local, theirs);
}

/** Tags each item with its content key and which copy of that key it is ("k#0", "k#1"). */
function occurrences<T>(items: readonly T[], key: (item: T) => string): string[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const k = key(item);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return `${k}#${n}`;
  });
}

/**
 * A three-way merge of a list by content: an item stays unless one side deleted it (and the
 * other did not add it back); both sides' additions are kept, theirs placed after the item
 * that precedes them in their list. An item edited on both sides is kept in both versions.
 */
export function mergeList<T>(base: readonly T[], local: readonly T[], theirs: readonly T[], key: (item: T) => string = (item) => JSON.stringify(item)): T[] {
  const b = occurrences(base, key);
  const l = occurrences(local, key);
  const t = occurrences(theirs, key);
  if (sameSeq(l, b)) return [...theirs];
  if (sameSeq(t, b) || sameSeq(l, t)) return [...local];
  const inBase = new Set(b);
  const inLocal = new Set(l);
  const inTheirs = new Set(t);
  const out: { tag: string; item: T }[] = [];
  local.forEach((item, n) => {
    const tag = l[n]!;
    if (inTheirs.has(tag) || !inBase.has(tag)) out.push({ tag, item });
  });
  theirs.forEach((item, n) => {
    const tag = t[n]!;
    if (inBase.has(tag) || inLocal.has(tag)) return;
    // After the nearest preceding item of theirs that is in the result (and after the
    // additions already placed there); first when there is none.
    let at = 0;
    for (let p = n - 1; p >= 0; p--) {
      const found = out.findIndex((entry) => entry.tag === t[p]);
      if (found >= 0) {
        at = found + 1;
        break;
      }
    }
    out.splice(at, 0, { tag, item });
  });
  return out.map((entry) => entry.item);
}

/** A value whose only edits are replacements: the side that changed it; local when both did. */
export function mergeValue<T>(base: T, local: T, theirs: T, same: (a: T, b: T) => boolean): { value: T; conflict: boolean } {
  if (same(local, base)) return { value: theirs, conflict: false };
  if (same(theirs, base) || same(local, theirs)) return { value: local, conflict: false };
  return { value: local, conflict: true };
}
