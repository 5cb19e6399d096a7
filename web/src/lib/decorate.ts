/**
 * Splits untrusted text into plain runs and IP addresses, so that each address can become a
 * menu: elements are built from the tokens, never HTML from a regex replacement
 * (MozDef's ipDecorate inserted its result as HTML; ui-anchors §4).
 */

export type Token = { kind: "text"; value: string } | { kind: "ip"; value: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** An IPv6 address (any of RFC 4291's text forms, without a zone). */
export function isIpv6(text: string): boolean {
  if (!text.includes(":") || text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  const doubleColons = text.split("::").length - 1;
  if (doubleColons > 1) return false;
  let groups = text.split(":");
  const last = groups[groups.length - 1] ?? "";
  let needed = 8;
  if (last.includes(".")) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    needed = 6;
  }
  if (doubleColons === 1) {
    const [head = "", tail = ""] = text.split("::");
    const count = (s: string) => (s === "" ? 0 : s.split(":").length);
    const present = count(head) + count(tail.includes(".") ? tail.split(":").slice(0, -1).join(":") : tail);
    if (present >= needed) return false;
    return groups.every((g) => g === "" || /^[0-9A-Fa-f]{1,4}$/.test(g));
  }
  return groups.length === needed && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
}

export function isIp(text: string): boolean {
  return isIpv4(text) || isIpv6(text);
}

// Candidates: runs of digits, dots, hex letters and colons; each checked exactly.
const CANDIDATE = /[0-9A-Fa-f:.]*[0-9A-Fa-f:][0-9A-Fa-f:.]*/g;

/** The text's plain runs and IP addresses, in order; joining the values gives the text back. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    let value = match[0];
    let start = match.index ?? 0;
    // A sentence's full stop or a "port:" colon is not part of the address.
    while (value.length > 0 && !isIp(value) && /[.:]$/.test(value)) value = value.slice(0, -1);
    while (value.length > 0 && !isIp(value) && /^[.:]/.test(value) && !value.startsWith("::")) {
      value = value.slice(1);
      start += 1;
    }
    // `1.2.3.4:443`: the address before its port.
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(value);
    if (withPort?.[1] && isIpv4(withPort[1])) value = withPort[1];
    if (!isIp(value)) continue;
    // Only whole words: not the middle of a version string or a hex hash.
    const before = text[start - 1];
    const after = text[start + value.length];
    if ((before && /[\w.:]/.test(before)) || (after && /\w/.test(after)) || (after === ":" && !withPort) || (after === "." && /\d/.test(text[start + value.length + 1] ?? ""))) {
      continue;
    }
    if (start > at) tokens.push({ kind: "text", value: text.slice(at, start) });
    tokens.push({ kind: "ip", value });
    at = start + value.length;
  }
  if (at < text.length) tokens.push({ kind: "text", value: text.slice(at) });
  return tokens;
}

/**
 * What shows of a long text: the tokens of its first `limit` characters, at most `menus` of them
 * addresses (each becomes a menu); from the address past that on, one plain run. `cut` says the
 * text goes on.
 */
export function shownTokens(text: string, limit: number, menus: number): { tokens: Token[]; cut: boolean } {
  const cut = text.length > limit;
  const tokens = tokenize(cut ? text.slice(0, limit) : text);
  let seen = 0;
  let plainFrom = tokens.findIndex((token) => token.kind === "ip" && ++seen > menus);
  if (plainFrom < 0) return { tokens, cut };
  if (tokens[plainFrom - 1]?.kind === "text") plainFrom -= 1;
  const rest = tokens
    .slice(plainFrom)
    .map((token) => token.value)
    .join("");
  return { tokens: [...tokens.slice(0, plainFrom), { kind: "text", value: rest }], cut };
}
