/**
 * Signing in through the test OIDC issuer (authorization code + PKCE): the role decides what
 * the UI offers, signing out signs out, and an expired session that cannot be renewed says so
 * and signs in again back to the same page.
 */
import { describe, expect, test } from "vitest";
import { call } from "./servers";
import { browserForFile, e2e, expectCount, expectText, signedIn, signInAtIssuer, Tab, visible } from "./harness";

const browser = browserForFile();

/** The seeded alert's row is there (so the absence of buttons means something). */
async function alertRows(tab: Tab): Promise<void> {
  await visible(tab.page.getByRole("row").filter({ hasText: "bruteforce attempts" }));
}

describe("signing in", () => {
  test("a viewer lands back on /alerts, named, with no triage buttons", async () => {
    const tab = await signedIn(browser(), "vera.viewer@example.com", "viewer", "/alerts");
    const banner = tab.page.getByRole("banner");
    await expectText(banner, "vera.viewer@example.com");
    await expectText(banner, "viewer");
    await alertRows(tab);
    await expectCount(tab.page.getByRole("button", { name: "Acknowledge", exact: true }), 0);
    tab.expectClean();
  });

  test("a responder gets the triage buttons", async () => {
    const tab = await signedIn(browser(), "rita.responder@example.com", "responder", "/alerts");
    const banner = tab.page.getByRole("banner");
    await expectText(banner, "rita.responder@example.com");
    await expectText(banner, "responder");
    await alertRows(tab);
    await visible(tab.page.getByRole("button", { name: "Acknowledge", exact: true }));
    tab.expectClean();
  });

  test("signing out ends the session", async () => {
    const { issuer } = e2e().oidc;
    const tab = await signedIn(browser(), "sam.signout@example.com", "responder", "/alerts");
    await tab.page.getByRole("button", { name: "Sign out" }).click();
    // The issuer's logout sends the browser back to the UI, which has nobody: to the issuer's form.
    await tab.page.waitForURL((u) => u.href.startsWith(`${issuer}/authorize`), { timeout: 20_000 });
    // And a page of the UI opened afresh asks the issuer again (no user was kept).
    await tab.page.goto(tab.url("/alerts"), { waitUntil: "commit" });
    await tab.page.waitForURL((u) => u.href.startsWith(`${issuer}/authorize`), { timeout: 20_000 });
    await visible(tab.page.getByRole("button", { name: "Sign in" }));
    tab.expectClean();
  });
});

describe("silent renewal", () => {
  test("renews short-lived tokens by refresh token, with no banner and the API still answering", async () => {
    const { issuer } = e2e().oidc;
    await call("POST", `${issuer}/test/lifetime`, { seconds: 5 });
    try {
      const tab = await signedIn(browser(), "sil.ent@example.com", "responder", "/alerts");
      await alertRows(tab);
      const before = await call<{ refreshes: number }>("GET", `${issuer}/test/stats`);
      // oidc-client-ts renews ahead of expiry: within a few lifetimes there must be renewals.
      await expect
        .poll(async () => (await call<{ refreshes: number }>("GET", `${issuer}/test/stats`)).refreshes, {
          timeout: 20_000,
        })
        .toBeGreaterThan(before.refreshes);
      // Well past the first token's expiry, a page still loads through the API.
      await tab.page.waitForTimeout(6_000);
      await tab.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
      await visible(tab.page.getByRole("heading", { name: "Incidents", level: 1 }));
      await expectCount(tab.page.getByRole("alert").filter({ hasText: "Your session has expired" }), 0);
      tab.expectClean();
    } finally {
      await call("POST", `${issuer}/test/lifetime`, { seconds: 300 });
    }
  });
});

describe("an expired session", () => {
  test("says so, and 'Sign in again' leads through the issuer back to the same page", async () => {
    const { issuer } = e2e().oidc;
    // Tokens of 5 s are renewed (by refresh token) again and again, until the issuer refuses.
    await call("POST", `${issuer}/test/lifetime`, { seconds: 5 });
    try {
      const path = "/alerts?q=bruteforce";
      const tab = await signedIn(browser(), "exp.ired@example.com", "responder", path);
      // The issuer refuses the revoked refresh token (400), and the API answers 401 to anything
      // still asking with the old token: the browser logs both.
      tab.allow(/status of 400 \(Bad Request\) \(http:\/\/[^)]*\/token\)$/);
      tab.allow(/status of 401/);
      await call("POST", `${issuer}/test/revoke`, {});
      const banner = tab.page.getByRole("alert").filter({ hasText: "Your session has expired" });
      await visible(banner, 20_000);
      await call("POST", `${issuer}/test/lifetime`, { seconds: 300 });
      await banner.getByRole("button", { name: "Sign in again" }).click();
      await signInAtIssuer(tab, "exp.ired@example.com", "responder");
      expect(tab.location()).toBe(path);
      await expectCount(tab.page.getByRole("alert").filter({ hasText: "Your session has expired" }), 0);
      await alertRows(tab);
      tab.expectClean();
    } finally {
      await call("POST", `${issuer}/test/lifetime`, { seconds: 300 });
    }
  });
});
