/**
 * Who else is on a record (MozDef's userActivity): this page says what the user does
 * (`PUT /api/presence/...` every 10 s and when it changes) and lists the others (polled every 3 s).
 */
import { useEffect, useId } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi, useIdentity } from "../services";
import type { Presence } from "../api/types";
import { othersOnRecord } from "../lib/presence";

type Activity = Presence["activity"];

/** Keeps the user's presence on the record while mounted; the others on it. */
export function usePresence(collection: string, id: string, activity: Activity): Presence[] {
  const api = useApi();
  const client = useQueryClient();
  const me = useIdentity()?.email;
  const key = ["presence", collection, id];
  const path = `/presence/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`;

  useEffect(() => {
    let stopped = false;
    const touch = () => {
      api
        .put<{ presence: Presence[] }>(path, { activity })
        .then((answer) => {
          if (!stopped) client.setQueryData(["presence", collection, id], answer);
        })
        .catch(() => undefined);
    };
    touch();
    const timer = setInterval(touch, 10_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, client, path, collection, id, activity]);

  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api.get<{ presence: Presence[] }>(path, undefined, signal),
    refetchInterval: 3000,
    refetchIntervalInBackground: true,
    staleTime: 0,
    retry: false,
  });
  return othersOnRecord(query.data?.presence ?? [], me);
}


/** "People on this record": each other user and what they are doing. */
export function PresenceList({ people }: { people: Presence[] }) {
  const labelId = useId();
  const sorted = people;
  return (
    <div className="presence">
      <span id={labelId} className="presence-label">
        People on this record
      </span>
      <ul aria-labelledby={labelId} className="presence-list">
        {sorted.map((person) => (
          <li key={person.user} className={`presence-person presence-${person.activity}`}>
            {person.user} ({person.activity})
          </li>
        ))}
      </ul>
      {sorted.length === 0 && <span className="muted">no one else</span>}
    </div>
  );
}
