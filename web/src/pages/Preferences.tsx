/**
 * The user's preferences (MozDef's /preferences): theme, page size, and the time zone times
 * are shown in. Saved with the version read; the layout applies the theme as soon as it is saved.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi, useIdentity } from "../services";
import { ApiError } from "../api/client";
import type { Preferences } from "../api/types";
import { QueryState, describeError } from "../components/States";
import { Time } from "../components/Time";
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE, THEMES, checkPreferences, type DraftErrors, type PreferencesDraft } from "../lib/preferencesForm";
import "./Preferences.css";

function timeZones(): string[] {
  try {
    return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  } catch {
    return ["UTC"];
  }
}

function PreferencesForm({ saved }: { saved: Preferences }) {
  const api = useApi();
  const client = useQueryClient();
  const ids = { theme: useId(), size: useId(), zone: useId(), zones: useId() };
  const zones = useMemo(() => timeZones(), []);
  const [draft, setDraft] = useState<PreferencesDraft>({
    theme: saved.theme,
    pageSize: String(saved.pageSize),
    timezone: saved.timezone,
  });
  // The version this form's edits are based on: a save elsewhere since is a 409, never overwritten silently.
  const [baseVersion, setBaseVersion] = useState(saved.version);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [status, setStatus] = useState<{ text: string; failed: boolean } | null>(null);

  const mutation = useMutation({
    mutationFn: (value: Pick<Preferences, "theme" | "pageSize" | "timezone">) =>
      api.put<Preferences>("/preferences", { version: baseVersion, ...value }),
    onSuccess: (written) => {
      client.setQueryData(["preferences"], written);
      void client.invalidateQueries({ queryKey: ["preferences"] });
      setBaseVersion(written.version);
      setDraft({ theme: written.theme, pageSize: String(written.pageSize), timezone: written.timezone });
      setStatus({ text: "Saved", failed: false });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        const current = error.body?.current as Preferences | undefined;
        if (current) {
          setBaseVersion(current.version);
          client.setQueryData(["preferences"], current);
        }
        setStatus({
          text: `Your preferences were saved elsewhere since this page read them${
            current ? ` (now ${current.theme}, ${current.pageSize} a page, ${current.timezone})` : ""
          }. Your choices are kept here: save again to use them.`,
          failed: true,
        });
      } else {
        setStatus({ text: `Not saved: ${describeError(error)}`, failed: true });
      }
    },
  });

  const change = (field: keyof PreferencesDraft, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setStatus(null);
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkPreferences(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      setStatus(null);
      return;
    }
    setErrors({});
    mutation.mutate(checked.value);
  };

  const describedBy = (field: keyof PreferencesDraft, hint: string) => (errors[field] ? `${hint} ${hint}-error` : hint);

  return (
    <form className="preferences-form" onSubmit={submit} noValidate aria-label="Preferences">
      <div className="pref-field">
        <label htmlFor={ids.theme}>Theme</label>
        <select
          id={ids.theme}
          value={draft.theme}
          onChange={(e) => change("theme", e.target.value)}
          aria-invalid={errors.theme ? true : undefined}
          aria-describedby={describedBy("theme", `${ids.theme}-hint`)}
        >
          {THEMES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <span id={`${ids.theme}-hint`} className="muted hint">
          MozDef&apos;s themes; applied as soon as it is saved.
        </span>
        {errors.theme && (
          <span id={`${ids.theme}-hint-error`} className="form-error">
            {errors.theme}
          </span>
        )}
      </div>

      <div className="pref-field">
        <label htmlFor={ids.size}>Page size</label>
        <input
          id={ids.size}
          type="number"
          inputMode="numeric"
          min={MIN_PAGE_SIZE}
          max={MAX_PAGE_SIZE}
          step={1}
          value={draft.pageSize}
          onChange={(e) => change("pageSize", e.target.value)}
          aria-invalid={errors.pageSize ? true : undefined}
          aria-describedby={describedBy("pageSize", `${ids.size}-hint`)}
        />
        <span id={`${ids.size}-hint`} className="muted hint">
          Rows a page in the tables, {MIN_PAGE_SIZE} to {MAX_PAGE_SIZE}.
        </span>
        {errors.pageSize && (
          <span id={`${ids.size}-hint-error`} className="form-error">
            {errors.pageSize}
          </span>
        )}
      </div>

      <div className="pref-field">
        <label htmlFor={ids.zone}>Time zone</label>
        <input
          id={ids.zone}
          list={ids.zones}
          value={draft.timezone}
          onChange={(e) => change("timezone", e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={errors.timezone ? true : undefined}
          aria-describedby={describedBy("timezone", `${ids.zone}-hint`)}
        />
        <datalist id={ids.zones}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <span id={`${ids.zone}-hint`} className="muted hint">
          UTC or a name such as Europe/Paris; times are shown in it (UTC on hover).
        </span>
        {errors.timezone && (
          <span id={`${ids.zone}-hint-error`} className="form-error">
            {errors.timezone}
          </span>
        )}
      </div>

      <div className="form-actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : "Save"}
        </button>
        <span className={status?.failed ? "pref-status failed" : "pref-status"} role="status">
          {status?.text}
        </span>
      </div>
    </form>
  );
}

export function PreferencesPage() {
  const api = useApi();
  const identity = useIdentity();
  const preferences = useQuery({
    queryKey: ["preferences"],
    queryFn: () => api.get<Preferences>("/preferences"),
    staleTime: 60_000,
  });
  const saved = preferences.data;
  return (
    <section className="preferences-page">
      <h1>Preferences</h1>
      <section aria-labelledby="identity-title" className="identity">
        <h2 id="identity-title">Signed in as</h2>
        <dl className="pref-identity">
          <dt>Email</dt>
          <dd>{identity?.email ?? "…"}</dd>
          <dt>Role</dt>
          <dd>{identity ? <span className={`role role-${identity.role}`}>{identity.role}</span> : "…"}</dd>
          {saved && saved.version > 0 && saved.modified && (
            <>
              <dt>Last saved</dt>
              <dd>
                <Time value={saved.modified} />
              </dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        {saved ? <PreferencesForm saved={saved} /> : <QueryState what="your preferences" query={preferences} />}
      </section>
    </section>
  );
}
