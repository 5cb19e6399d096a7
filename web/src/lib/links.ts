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
