/**
 * The REST API client: JSON over fetch, the bearer token on every call, one error type
 * carrying the API's `{error, current}` body.
 */

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The error body (`error`, and for a 409 `current`: the record as it is now). */
  readonly body: Record<string, unknown> | null;
  constructor(status: number, message: string, body: Record<string, unknown> | null = null) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `?a=1&b=x` of the defined, non-empty values. */
export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface TokenSource {
  /** The current access token; null when the API is open. */
  token(): Promise<string | null>;
  /** Called on a 401: the session is over. */
  expired(): void;
}

export class Api {
  readonly base: string;
  private readonly tokens: TokenSource;

  constructor(apiUrl: string, tokens: TokenSource) {
    this.base = `${apiUrl}/api`;
    this.tokens = tokens;
  }

  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = await this.tokens.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}${queryString(options.query)}`, {
        method,
        headers,
        body,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "The API cannot be reached: check the network and that MozDef is running.");
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const errorBody = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
      const message = typeof errorBody?.error === "string" ? errorBody.error : `${response.status} ${response.statusText}`;
      if (response.status === 401) this.tokens.expired();
      throw new ApiError(response.status, message, errorBody);
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, { query, signal });
  }
  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>("POST", path, { body: body ?? {}, query });
  }
  put<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>("PUT", path, { body, query });
  }
  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("DELETE", path, { query });
  }
}
