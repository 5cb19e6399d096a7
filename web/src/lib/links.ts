/** Links built from data: paths of this app with encoded parameters, http(s) URLs only. */

/** The event search page for `query` over `minutes`. */
export function searchLink(query: string, minutes = 1440): string {
  return `/search?${new URLSearchParams({ q: query, minutes: String(minutes) }).toString()}`;
}

/** A query string matching an address in the usual address fields. */
export function ipQuery(ip: string): string {
  const quoted = `"${ip}"`;
  return `details.sourceipaddress:${quoted} OR details.destinationipaddress:${quoted}`;
}

/** `url` when it is http(s); null otherwise (no `javascript:` or `data:` links from data). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** OpenSearch Dashboards' document view of an alert or event (`#/doc/<pattern>/<index>?id=`). */
export function dashboardsDocLink(base: string | null, index: string | undefined, id: string): string | null {
  if (!base || !index) return null;
  const pattern = index.startsWith("alerts") ? "alerts-*" : "events-*";
  return safeHttpUrl(
    `${base}/app/discover#/doc/${encodeURIComponent(pattern)}/${encodeURIComponent(index)}?id=${encodeURIComponent(id)}`,
  );
}

/** A rison string (OpenSearch Dashboards' URL state): quoted, `!` and `'` escaped by `!`. */
function risonString(text: string): string {
  return `'${text.replace(/!/g, "!!").replace(/'/g, "!'")}'`;
}

/** OpenSearch Dashboards' Discover on `events-*` with a Lucene query over the last `minutes`. */
export function dashboardsSearchLink(base: string | null, query: string, minutes: number): string | null {
  if (!base) return null;
  const global = `(time:(from:now-${Math.max(1, Math.floor(minutes))}m,to:now))`;
  const app = `(index:'events-*',query:(language:lucene,query:${risonString(query.trim() || "*")}))`;
  return safeHttpUrl(`${base}/app/discover#/?_g=${encodeURIComponent(global)}&_a=${encodeURIComponent(app)}`);
}
