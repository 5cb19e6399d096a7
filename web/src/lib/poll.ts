/**
 * A polling query's `refetchInterval`: every `ms` while it has data or is loading, none once it
 * failed without data. (react-query resets a query without data to "pending" when it fetches
 * again, so polling on would flicker between the error and "Loading…"; the error's Retry
 * button fetches again.)
 */
export function pollUnlessFailed(ms: number): (query: { state: { status: string; data: unknown } }) => number | false {
  return (query) => (query.state.status === "error" && query.state.data === undefined ? false : ms);
}
