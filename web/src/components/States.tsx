/** Loading, empty and error states: each says what is happening and what to do. */
import type { ReactNode } from "react";
import { ApiError } from "../api/client";

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      {children}
    </div>
  );
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return error.message;
    if (error.status === 401) return "Your session has expired: sign in again.";
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return `${error.message} (HTTP ${error.status})`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <span>{describeError(error)}</span>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** What a query shows before its data: loading, or its error with a retry. */
export function QueryState({ what, query }: { what: string; query: { isPending: boolean; error: unknown; refetch: () => unknown } }) {
  if (query.error) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  if (query.isPending) return <Loading what={what} />;
  return null;
}

/** The UI could not start (no config, no issuer): a page that says why, never a blank one. */
export function BootError({ error }: { error: unknown }) {
  return (
    <main className="boot-error">
      <h1>MozDef cannot start</h1>
      <p role="alert">{describeError(error)}</p>
      <p>
        Check <code>/config.json</code> and that the REST API and the identity provider are reachable, then{" "}
        <a href="/">reload</a>.
      </p>
    </main>
  );
}
