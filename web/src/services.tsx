/** What every page reads: the configuration, the API client, the session, the change feed. */
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { RuntimeConfig } from "./config";
import type { Api } from "./api/client";
import type { ChangeFeed, FeedState } from "./api/changes";
import type { Session } from "./auth/session";
import type { Change, Identity, Preferences, Role } from "./api/types";
import { allows } from "./lib/roles";

export interface AppServices {
  config: RuntimeConfig;
  api: Api;
  session: Session;
  feed: ChangeFeed;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error("useApp outside <AppContext>");
  return services;
}

export function useApi(): Api {
  return useApp().api;
}

/** Who is signed in, and their role (`GET /api/me`). */
export function useIdentity(): Identity | undefined {
  const api = useApi();
  return useQuery({ queryKey: ["me"], queryFn: () => api.get<Identity>("/me"), staleTime: 60_000 }).data;
}

/** Whether the signed-in user may do what needs `role`. */
export function useAllowed(role: Role): boolean {
  return allows(useIdentity()?.role, role);
}

const DEFAULT_PREFERENCES: Preferences = { theme: "Dark", pageSize: 25, timezone: "UTC", id: "", version: 0 };

/** The user's preferences (theme, page size, time zone); defaults until they load. */
export function usePreferences(): Preferences {
  const api = useApi();
  return (
    useQuery({ queryKey: ["preferences"], queryFn: () => api.get<Preferences>("/preferences"), staleTime: 60_000 }).data ??
    DEFAULT_PREFERENCES
  );
}

export function useTimeZone(): string {
  return usePreferences().timezone;
}

/** Calls `listener` for each change of the feed (filtered by collection when given). */
export function useChanges(listener: (change: Change) => void, collection?: string): void {
  const { feed } = useApp();
  useEffect(
    () =>
      feed.subscribe((change) => {
        if (!collection || change.collection === collection) listener(change);
      }),
    [feed, listener, collection],
  );
}

/** The change feed's connection state. */
export function useFeedState(): FeedState {
  const { feed } = useApp();
  return useSyncExternalStore(
    (notify) => feed.onState(notify),
    () => feed.state,
  );
}

/** Keeps react-query's caches current: a change refreshes its collection's lists and the record. */
export function useLiveInvalidation(): void {
  const client = useQueryClient();
  const { feed } = useApp();
  useEffect(
    () =>
      feed.subscribe((change) => {
        void client.invalidateQueries({ queryKey: ["list", change.collection] });
        void client.invalidateQueries({ queryKey: ["record", change.collection, change.id] });
        if (change.collection === "preferences") void client.invalidateQueries({ queryKey: ["preferences"] });
        if (change.collection === "incidents") void client.invalidateQueries({ queryKey: ["veris"] });
      }),
    [client, feed],
  );
  // The API answers again after the feed lost it: what failed meanwhile is fetched again.
  useEffect(() => {
    let previous = feed.state;
    return feed.onState((state) => {
      if (state === "live" && previous === "retrying") {
        void client.invalidateQueries({ predicate: (query) => query.state.status === "error" });
      }
      previous = state;
    });
  }, [client, feed]);
}

/** The session's expiry, re-rendering when it changes. */
export function useSessionExpired(): Date | null {
  const { session } = useApp();
  const [, force] = useState(0);
  useEffect(() => session.subscribe(() => force((n) => n + 1)), [session]);
  return session.expiredAt;
}
