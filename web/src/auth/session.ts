/**
 * The signed-in session: OIDC authorization code with PKCE through `oidc-client-ts`, refresh
 * tokens for silent renewal, and the open mode (no OIDC: `mozdef dev` on loopback).
 */
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { OidcConfig } from "../config";
import type { TokenSource } from "../api/client";

/** The path the identity provider sends the browser back to. */
export const CALLBACK_PATH = "/auth/callback";

type Listener = () => void;

export class Session implements TokenSource {
  readonly manager: UserManager | null;
  private readonly bearer: OidcConfig["bearer"];
  private user: User | null = null;
  private listeners = new Set<Listener>();
  /** Set when a token was refused or could not be renewed. */
  expiredAt: Date | null = null;

  constructor(oidc: OidcConfig | null) {
    this.bearer = oidc?.bearer ?? "access_token";
    this.manager = oidc
      ? new UserManager({
          authority: oidc.authority,
          client_id: oidc.clientId,
          redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
          post_logout_redirect_uri: `${window.location.origin}/`,
          response_type: "code",
          scope: oidc.scope,
          automaticSilentRenew: true,
          // Tokens live in this tab's session storage only: gone with the tab.
          userStore: new WebStorageStateStore({ store: window.sessionStorage }),
          stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
        })
      : null;
    this.manager?.events.addUserLoaded((user) => {
      this.user = user;
      this.expiredAt = null;
      this.emit();
    });
    this.manager?.events.addAccessTokenExpired(() => this.expired());
    this.manager?.events.addSilentRenewError(() => this.expired());
  }

  get open(): boolean {
    return this.manager === null;
  }

  /** Loads a stored user; true when there is a usable one (or nobody needs to sign in). */
  async restore(): Promise<boolean> {
    if (!this.manager) return true;
    const user = await this.manager.getUser();
    if (user && !user.expired) {
      this.user = user;
      return true;
    }
    if (user?.refresh_token) {
      try {
        this.user = await this.manager.signinSilent();
        return this.user !== null;
      } catch {
        await this.manager.removeUser();
      }
    }
    return false;
  }

  /** Sends the browser to the identity provider; it comes back to `returnTo`. */
  async signIn(returnTo: string): Promise<void> {
    await this.manager?.signinRedirect({ state: { returnTo } });
  }

  /** Finishes the redirect: the path to go back to. */
  async completeSignIn(): Promise<string> {
    if (!this.manager) return "/";
    const user = await this.manager.signinRedirectCallback();
    this.user = user;
    this.expiredAt = null;
    this.emit();
    const state = user.state as { returnTo?: unknown } | undefined;
    const returnTo = typeof state?.returnTo === "string" ? state.returnTo : "/";
    // Only a path of this origin: never an open redirect.
    return returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
  }

  async signOut(): Promise<void> {
    if (!this.manager) return;
    const user = this.user;
    this.user = null;
    await this.manager.removeUser();
    try {
      await this.manager.signoutRedirect({ id_token_hint: user?.id_token });
    } catch {
      window.location.assign("/");
    }
  }

  async token(): Promise<string | null> {
    if (!this.manager) return null;
    if (!this.user || this.user.expired) return null;
    return this.bearer === "id_token" ? (this.user.id_token ?? null) : this.user.access_token;
  }

  /** The session is over: the UI says so and offers to sign in again (drafts are kept). */
  expired(): void {
    if (!this.manager || this.expiredAt) return;
    this.expiredAt = new Date();
    this.user = null;
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
