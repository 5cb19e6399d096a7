/** Block an address or a domain name, or watch a term: MozDef's block and watch forms. */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../services";
import { describeError } from "./States";

export type ListKind = "ipblocklist" | "fqdnblocklist" | "watchlist";

export const LIST_KINDS: Record<ListKind, { route: string; field: string; label: string; verb: string; formName: string }> = {
  ipblocklist: { route: "/blockip", field: "ipaddress", label: "IP address or network", verb: "Block", formName: "New IP blocklist entry" },
  fqdnblocklist: { route: "/blockfqdn", field: "fqdn", label: "Domain name", verb: "Block", formName: "New FQDN blocklist entry" },
  watchlist: { route: "/watchitem", field: "watchcontent", label: "Term to watch", verb: "Watch", formName: "New watchlist entry" },
};

/** MozDef's durations; any other is an hour. */
export const DURATIONS = [
  { value: "12hr", label: "12 hours" },
  { value: "1d", label: "1 day" },
  { value: "2d", label: "2 days" },
  { value: "3d", label: "3 days" },
  { value: "1w", label: "1 week" },
  { value: "30d", label: "30 days" },
] as const;

export function ListEntryForm({ kind, initial = "", onDone }: { kind: ListKind; initial?: string; onDone?: () => void }) {
  const api = useApi();
  const client = useQueryClient();
  const spec = LIST_KINDS[kind];
  const [value, setValue] = useState(initial);
  const [duration, setDuration] = useState("1d");
  const [comment, setComment] = useState("");
  const [reference, setReference] = useState("");
  const [done, setDone] = useState("");
  const mutation = useMutation({
    mutationFn: (entry: { value: string; duration: string }) =>
      api.post(spec.route, { [spec.field]: entry.value, duration: entry.duration, comment, referenceid: reference }),
    onSuccess: (_answer, entry) => {
      void client.invalidateQueries({ queryKey: ["list", kind] });
      const period = DURATIONS.find((d) => d.value === entry.duration)?.label ?? entry.duration;
      setDone(`${kind === "watchlist" ? "Watching" : "Blocked"} ${entry.value} for ${period}.`);
      setValue("");
      setComment("");
      setReference("");
      onDone?.();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ value: value.trim(), duration });
  };
  // Unique per form: a page's form and a value menu's dialog may show the same kind at once.
  const id = `form-${kind}-${useId().replace(/:/g, "")}`;
  return (
    <form className="entry-form" onSubmit={submit} aria-label={spec.formName}>
      <label htmlFor={`${id}-value`}>{spec.label}</label>
      <input
        id={`${id}-value`}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setDone("");
        }}
        required
        autoComplete="off"
      />
      <label htmlFor={`${id}-duration`}>Duration</label>
      <select id={`${id}-duration`} value={duration} onChange={(e) => setDuration(e.target.value)}>
        {DURATIONS.map((d) => (
          <option key={d.value} value={d.value}>
            {d.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-comment`}>Comment</label>
      <input id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} />
      <label htmlFor={`${id}-reference`}>Reference</label>
      <input id={`${id}-reference`} value={reference} onChange={(e) => setReference(e.target.value)} placeholder="bug or ticket" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={mutation.isPending || value.trim() === ""}>
          {spec.verb}
        </button>
      </div>
      {done && !mutation.error && (
        <p className="form-done" role="status">
          {done}
        </p>
      )}
      {mutation.error && (
        <p className="form-error" role="alert">
          {describeError(mutation.error)}
        </p>
      )}
    </form>
  );
}
