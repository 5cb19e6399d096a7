/** Untrusted text with each IP address turned into its menu; hostnames link to a search. */
import { useState } from "react";
import { Link } from "react-router";
import { shownTokens } from "../lib/decorate";
import { ValueMenu } from "./ValueMenu";
import { searchLink } from "../lib/links";

/** How much of a long text shows at first; each "Show more" shows this many times more. */
const SHOWN = 4096;
const MORE = 16;
/** Addresses past this many in one text stay plain text (a menu each would freeze the page). */
const MENUS = 200;

export function Decorated({ text }: { text: string | null | undefined }) {
  // A megabyte field must not freeze the page: a slice of it, more on request.
  const [limit, setLimit] = useState(SHOWN);
  if (!text) return null;
  const { tokens, cut } = shownTokens(text, limit, MENUS);
  // <bdi>: a bidi override in the data (U+202E) cannot reorder the text around it, and each run
  // is isolated too (styles.css), so it cannot move an address either.
  return (
    <bdi className="decorated">
      {tokens.map((token, i) => (token.kind === "ip" ? <ValueMenu key={i} ip={token.value} /> : <span key={i}>{token.value}</span>))}
      {cut && (
        <span className="decorated-more">
          <span className="muted">
            … ({limit.toLocaleString("en-US")} of {text.length.toLocaleString("en-US")} characters)
          </span>{" "}
          <button type="button" className="link" onClick={() => setLimit(limit * MORE)}>
            Show more
          </button>
        </span>
      )}
    </bdi>
  );
}

/** A hostname: a link to the events of that host. */
export function Hostname({ name }: { name: string | null | undefined }) {
  if (!name) return null;
  return (
    <Link to={searchLink(`hostname:"${name.replace(/["\\]/g, "\\$&")}"`)} className="hostname">
      <bdi>{name}</bdi>
    </Link>
  );
}
