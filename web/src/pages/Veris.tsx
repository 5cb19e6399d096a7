/**
 * `/veris`, `/incidents/veris`, `/investigations/veris` (MozDef §6): incidents by VERIS tag
 * and phase (`GET /api/veris`, one row per tag of each incident) with totals, and the browser
 * of the VERIS tags (`GET /api/veris/tags`) grouped by their top-level path. One filter (in
 * the URL) narrows both; each count links to the incidents with that tag.
 */
import { useSearchParams } from "react-router";
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../services";
import type { VerisRow } from "../api/types";
import { groupTags, incidentsWithTag, pivot } from "../lib/veris";
import { Empty, QueryState } from "../components/States";
import { useVerisTags } from "../components/VerisPicker";
import "./Veris.css";

function withPhase(tag: string, phase: string): string {
  return `/incidents?${new URLSearchParams({ tags: tag, phase }).toString()}`;
}

export function Veris() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  // Under ["veris"]: the change feed refreshes it when incidents change.
  const rows = useQuery({ queryKey: ["veris"], queryFn: ({ signal }) => api.get<VerisRow[]>("/veris", undefined, signal) });
  const tags = useVerisTags();

  const setFilter = (value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set("filter", value);
        else next.delete("filter");
        return next;
      },
      { replace: true },
    );

  const table = rows.data ? pivot(rows.data, filter) : null;
  const groups = tags.data ? groupTags(tags.data.tags, filter) : [];
  const shownTags = groups.reduce((n, group) => n + group.tags.length, 0);

  return (
    <section className="veris-page">
      <h1>VERIS</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="veris-filter">Filter VERIS tags</label>
          <input
            id="veris-filter"
            type="search"
            value={filter}
            autoComplete="off"
            placeholder="e.g. hacking brute"
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
      </div>

      <h2 id="veris-pivot">Incidents by tag and phase</h2>
      {!table ? (
        <QueryState what="the VERIS statistics" query={rows} />
      ) : table.rows.length === 0 ? (
        <Empty>{filter ? "No tagged incident matches this filter." : "No incident has a VERIS tag yet: tag incidents in their editor."}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data veris-table" aria-labelledby="veris-pivot">
            <thead>
              <tr>
                <th scope="col">Tag</th>
                {table.phases.map((phase) => (
                  <th scope="col" key={phase} className="num">
                    {phase}
                  </th>
                ))}
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.tag}>
                  <th scope="row" className="veris-tag">
                    {row.tag}
                  </th>
                  {table.phases.map((phase) => (
                    <td key={phase} className="num">
                      {row.byPhase[phase] ? (
                        <Link to={withPhase(row.tag, phase)} aria-label={`${row.byPhase[phase]} ${row.tag} incidents in ${phase}`}>
                          {row.byPhase[phase]}
                        </Link>
                      ) : (
                        <span className="muted">0</span>
                      )}
                    </td>
                  ))}
                  <td className="num">
                    <Link to={incidentsWithTag(row.tag)} aria-label={`${row.total} incidents tagged ${row.tag}`}>
                      {row.total}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {table.phases.map((phase) => (
                  <td key={phase} className="num">
                    {table.totals[phase] ?? 0}
                  </td>
                ))}
                <td className="num">{table.total}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}

      <h2 id="veris-browser">VERIS tags</h2>
      {!tags.data ? (
        <QueryState what="the VERIS tags" query={tags} />
      ) : shownTags === 0 ? (
        <Empty>No VERIS tag matches “{filter}”.</Empty>
      ) : (
        <>
          <p className="muted">
            {filter ? `${shownTags} of ${tags.data.tags.length} tags match.` : `${tags.data.tags.length} tags.`} Each links to the incidents that have it.
          </p>
          <div className="veris-groups" aria-labelledby="veris-browser">
            {groups.map((group) => (
              <details key={`${group.group}-${filter ? "open" : "closed"}`} className="veris-group" open={Boolean(filter) || groups.length === 1}>
                <summary>
                  {group.group} <span className="muted">({group.tags.length})</span>
                </summary>
                <ul className="veris-tags">
                  {group.tags.map((tag) => (
                    <li key={tag}>
                      <Link to={incidentsWithTag(tag)}>{tag}</Link>
                    </li>
                  ))}
                </ul>
              </details>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
