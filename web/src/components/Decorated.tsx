/** Untrusted text with each IP address turned into its menu; hostnames link to a search. */
import { Link } from "react-router";
import { tokenize } from "../lib/decorate";
import { ValueMenu } from "./ValueMenu";
import { searchLink } from "../lib/links";

export function Decorated({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <>
      {tokenize(text).map((token, i) =>
        token.kind === "ip" ? <ValueMenu key={i} ip={token.value} /> : <span key={i}>{token.value}</span>,
      )}
    </>
  );
}

/** A hostname: a link to the events of that host. */
export function Hostname({ name }: { name: string | null | undefined }) {
  if (!name) return null;
  return (
    <Link to={searchLink(`hostname:"${name.replace(/["\\]/g, "\\$&")}"`)} className="hostname">
      {name}
    </Link>
  );
}
