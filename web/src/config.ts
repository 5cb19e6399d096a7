/**
 * The runtime configuration: `/config.json`, written by `mozdef dev` from its flags and by the
 * AWS stack into the web bucket. The same build runs everywhere; only this file differs.
 */

/** The OpenID Connect client the UI signs in with (authorization code + PKCE). */
export interface OidcConfig {
  /** The issuer URL (its `/.well-known/openid-configuration` is read). */
  authority: string;
  /** The public client id registered for the UI. */
  clientId: string;
  /** Scopes asked for; `openid` is always among them. */
  scope: string;
  /** The token sent to the API: the access token, or the ID token for an issuer whose access
   * tokens carry no audience or email (Cognito). */
  bearer: "access_token" | "id_token";
}

export interface RuntimeConfig {
  /** The REST API's base URL, ending before `/api` (empty: the UI's own origin). */
  apiUrl: string;
  /** Null: the API is open (mozdef dev on loopback) and nobody signs in. */
  oidc: OidcConfig | null;
  /** OpenSearch Dashboards, when there is one to link to. */
  dashboardsUrl: string | null;
}

export class ConfigError extends Error {}

function optionalString(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new ConfigError(`config.json: ${key} must be a string`);
  return value;
}

function httpUrl(value: string, key: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`config.json: ${key} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`config.json: ${key} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, "");
}

/** Checks `/config.json`'s contents, naming what is wrong. */
export function parseConfig(raw: unknown): RuntimeConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must be a JSON object");
  }
  const object = raw as Record<string, unknown>;
  const apiUrl = optionalString(object, "apiUrl");
  const dashboardsUrl = optionalString(object, "dashboardsUrl");
  let oidc: OidcConfig | null = null;
  if (object.oidc !== undefined && object.oidc !== null) {
    if (typeof object.oidc !== "object" || Array.isArray(object.oidc)) {
      throw new ConfigError("config.json: oidc must be an object");
    }
    const o = object.oidc as Record<string, unknown>;
    const authority = optionalString(o, "authority");
    const clientId = optionalString(o, "clientId");
    if (!authority) throw new ConfigError("config.json: oidc.authority is missing");
    if (!clientId) throw new ConfigError("config.json: oidc.clientId is missing");
    const scope = optionalString(o, "scope") ?? "openid email profile";
    const bearer = optionalString(o, "bearer") ?? "access_token";
    if (bearer !== "access_token" && bearer !== "id_token") {
      throw new ConfigError("config.json: oidc.bearer must be access_token or id_token");
    }
    oidc = {
      authority: httpUrl(authority, "oidc.authority"),
      clientId,
      scope: scope.split(/\s+/).includes("openid") ? scope : `openid ${scope}`,
      bearer,
    };
  }
  return {
    apiUrl: apiUrl ? httpUrl(apiUrl, "apiUrl") : "",
    oidc,
    dashboardsUrl: dashboardsUrl ? httpUrl(dashboardsUrl, "dashboardsUrl") : null,
  };
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new ConfigError(`/config.json answered ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("/config.json is not JSON");
  }
  return parseConfig(raw);
}
