/** A JSON document as a tree of text (event details, lookups): keys and values never as HTML. */
import { useState } from "react";
import { Decorated } from "./Decorated";

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === "string") {
    return (
      <span className="json-string">
        <Decorated text={value} />
      </span>
    );
  }
  return <span className="json-scalar">{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return (
      <li>
        <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? "▾" : "▸"}</span> <bdi className="json-key">{name}</bdi>
          <span className="muted"> {Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span>
        </button>
        {open && (
          <ul className="json-tree">
            {entries.map(([k, v]) => (
              <Node key={k} name={k} value={v} depth={depth + 1} />
            ))}
          </ul>
        )}
      </li>
    );
  }
  return (
    <li>
      <bdi className="json-key">{name}</bdi>: <Leaf value={value} />
    </li>
  );
}

export function JsonTree({ value, label }: { value: unknown; label: string }) {
  const entries = value !== null && typeof value === "object" ? Object.entries(value) : [["value", value] as const];
  return (
    <ul className="json-tree json-root" aria-label={label}>
      {entries.map(([k, v]) => (
        <Node key={k} name={k} value={v} depth={0} />
      ))}
    </ul>
  );
}
