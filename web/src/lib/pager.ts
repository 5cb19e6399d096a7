/**
 * A cursor pager whose state is in the URL: `cursor` is the page shown, `back` the cursors of
 * the pages before it (comma-separated, `.` for the first page), so that a reload or a shared
 * link shows the same page and "Previous page" still works.
 */

const FIRST = ".";

export interface PagerState {
  /** The cursor of the page shown; undefined on the first page. */
  cursor: string | undefined;
  /** The cursors of the pages before it, oldest first (undefined: the first page). */
  back: (string | undefined)[];
}

export function pagerState(params: URLSearchParams): PagerState {
  const cursor = params.get("cursor") || undefined;
  const raw = params.get("back");
  const back = cursor && raw ? raw.split(",").map((c) => (c === FIRST || c === "" ? undefined : c)) : cursor ? [undefined] : [];
  return { cursor, back };
}

function withState(params: URLSearchParams, cursor: string | undefined, back: (string | undefined)[]): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  next.delete("back");
  if (cursor) {
    next.set("cursor", cursor);
    next.set("back", back.map((c) => c ?? FIRST).join(","));
  }
  return next;
}

/** The parameters of the next page (`next`: the API's cursor). */
export function nextPageParams(params: URLSearchParams, next: string): URLSearchParams {
  const { cursor, back } = pagerState(params);
  return withState(params, next, [...back, cursor]);
}

/** The parameters of the page before (the first page when there is none). */
export function previousPageParams(params: URLSearchParams): URLSearchParams {
  const { back } = pagerState(params);
  const previous = back[back.length - 1];
  return withState(params, previous, back.slice(0, -1));
}

/** The parameters of the first page (other parameters kept). */
export function firstPageParams(params: URLSearchParams): URLSearchParams {
  return withState(params, undefined, []);
}

/** 1-based number of the page shown. */
export function pageNumber(params: URLSearchParams): number {
  return pagerState(params).back.length + 1;
}
