/** The VERIS tags of an incident: removable chips, and a filterable list of the 844 paths to add. */
import { useId, useState, type KeyboardEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../services";
import { matchesFilter } from "../lib/veris";
import { QueryState } from "./States";

const SHOWN = 40;

/** The VERIS enumeration paths (`GET /api/veris/tags`); they do not change while the UI runs. */
export function useVerisTags() {
  const api = useApi();
  return useQuery({
    queryKey: ["veris-tags"],
    queryFn: ({ signal }) => api.get<{ tags: string[] }>("/veris/tags", undefined, signal),
    staleTime: Infinity,
  });
}

export function VerisPicker({ tags, onChange }: { tags: string[]; onChange?: (tags: string[]) => void }) {
  const [filter, setFilter] = useState("");
  const id = useId();
  const all = useVerisTags();
  const chipsLabel = `${id}-label`;
  const matches = filter.trim() && all.data ? all.data.tags.filter((tag) => !tags.includes(tag) && matchesFilter(tag, filter)) : [];

  const add = (tag: string) => onChange?.([...tags, tag]);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (matches[0]) {
        add(matches[0]);
        setFilter("");
      }
    }
  };

  return (
    <div className="veris-picker">
      <span id={chipsLabel} className="field-label">
        VERIS tags
      </span>
      {tags.length === 0 ? (
        <p className="muted">No VERIS tags.</p>
      ) : (
        <ul className="chips" aria-labelledby={chipsLabel}>
          {tags.map((tag) => (
            <li key={tag} className="chip">
              <span>{tag}</span>
              {onChange && (
                <button type="button" className="chip-remove" onClick={() => onChange(tags.filter((t) => t !== tag))}>
                  <span aria-hidden="true">×</span>
                  <span className="case-vh">Remove tag {tag}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {onChange && (
        <div className="veris-add">
          <label htmlFor={`${id}-filter`}>Filter VERIS tags</label>
          <input
            id={`${id}-filter`}
            type="search"
            value={filter}
            placeholder="e.g. hacking brute"
            autoComplete="off"
            onChange={(event) => setFilter(event.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby={`${id}-hint`}
          />
          <p id={`${id}-hint`} className="muted small">
            {all.data
              ? filter.trim()
                ? `${matches.length} matching tag${matches.length === 1 ? "" : "s"}${matches.length > SHOWN ? `, the first ${SHOWN} shown` : ""}; Enter adds the first.`
                : `Type to find one of the ${all.data.tags.length} VERIS tags.`
              : null}
          </p>
          {!all.data && <QueryState what="the VERIS tags" query={all} />}
          {matches.length > 0 && (
            <ul className="veris-matches" aria-label="Matching VERIS tags">
              {matches.slice(0, SHOWN).map((tag) => (
                <li key={tag}>
                  <button type="button" className="veris-match" onClick={() => add(tag)}>
                    <span className="case-vh">Add tag </span>
                    <span aria-hidden="true">+ </span>
                    {tag}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
