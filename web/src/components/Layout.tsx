/** The frame of every page: navigation, who is signed in, the feed's state, an expired session. */
import { useEffect, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { useApp, useFeedState, useIdentity, useLiveInvalidation, usePreferences, useSessionExpired } from "../services";
import { safeHttpUrl } from "../lib/links";

const NAV: { to: string; label: string }[] = [
  { to: "/alerts", label: "Alerts" },
  { to: "/incidents", label: "Incidents" },
  { to: "/investigations", label: "Investigations" },
  { to: "/veris", label: "VERIS" },
  { to: "/search", label: "Search" },
  { to: "/watchlist", label: "Watchlist" },
  { to: "/ipblocklist", label: "IP blocklist" },
  { to: "/fqdnblocklist", label: "FQDN blocklist" },
  { to: "/manage-alerts", label: "Manage alerts" },
  { to: "/about", label: "About" },
];

const THEMES: Record<string, string> = { Classic: "classic", Dark: "dark", Light: "light", "Dark Side Nav": "dark-side" };

function SessionBanner() {
  const { session } = useApp();
  const expired = useSessionExpired();
  const location = useLocation();
  if (!expired) return null;
  return (
    <div className="session-banner" role="alert">
      Your session has expired. What you typed is kept on this page.
      <button type="button" className="primary" onClick={() => void session.signIn(location.pathname + location.search)}>
        Sign in again
      </button>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { config, session } = useApp();
  const identity = useIdentity();
  const preferences = usePreferences();
  const feed = useFeedState();
  useLiveInvalidation();
  useEffect(() => {
    document.documentElement.dataset.theme = THEMES[preferences.theme] ?? "dark";
  }, [preferences.theme]);
  const dashboards = safeHttpUrl(config.dashboardsUrl);
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="MozDef home">
          <img src="/favicon.svg" alt="" width="24" height="24" /> MozDef
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
            {dashboards && (
              <li>
                <a href={dashboards} target="_blank" rel="noopener noreferrer">
                  Dashboards
                </a>
              </li>
            )}
          </ul>
        </nav>
        <div className="user">
          <span className={`feed feed-${feed}`} title={`Live updates: ${feed}`} role="status" aria-label={`Live updates: ${feed}`} />
          {feed === "retrying" && (
            <span className="feed-note" aria-hidden="true">
              Reconnecting…
            </span>
          )}
          <NavLink to="/preferences" className="user-link" title="Your preferences">
            <span className="user-email" title={identity?.email}>
              {identity?.email ?? "…"}
            </span>
            {identity && <span className={`role role-${identity.role}`}>{identity.role}</span>}
          </NavLink>
          {!session.open && (
            <button type="button" onClick={() => void session.signOut()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <SessionBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
