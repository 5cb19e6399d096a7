/**
 * What the end-to-end tests share: the servers the global setup started (`e2e()`), Debian's
 * Chromium through playwright-core, a watched tab (console errors, uncaught exceptions, CSP
 * violations and dialogs fail the test), axe-core, screenshots.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, inject, onTestFinished } from "vitest";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import type { AxeResults, RunOptions } from "axe-core";
import type { Seed } from "./servers";

export interface E2eEnv {
  repo: string;
  /** ../target/web-screenshots */
  screenshots: string;
  /** The servers' logs. */
  logDir: string;
  /** `mozdef dev` without OIDC (everybody an admin), seeded. */
  open: { url: string; seed: Seed };
  /** `mozdef dev` behind the test OIDC issuer, holding one alert and one incident. */
  oidc: { url: string; issuer: string; alertId: string; incidentId: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eEnv;
  }
}

declare global {
  interface Window {
    axe?: { run(context: Document, options: RunOptions): Promise<AxeResults> };
    __e2eReport?: (kind: string, detail: string) => void;
  }
}

/** The servers and seed data of this run. */
export function e2e(): E2eEnv {
  return inject("e2e");
}

// ---------------------------------------------------------------------------------------------
// Chromium

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
export const VIEWPORT = { width: 1280, height: 800 };

/** Headless Chromium with a fresh profile (playwright makes a temporary one per launch). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** One browser for a test file: launched before its tests, closed after them. */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is not launched (browserForFile() outside a test file?)");
    return browser;
  };
}

// ---------------------------------------------------------------------------------------------
// Watched tabs

/** An isolated browser context (its own storage: another user or another tab) with one page. */
export class Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly base: string;
  private readonly problems: string[] = [];
  private readonly allowed: RegExp[];
  /** Messages of every alert/confirm/prompt dialog (none may open). */
  readonly dialogs: string[] = [];

  private constructor(context: BrowserContext, page: Page, base: string, allow: RegExp[]) {
    this.context = context;
    this.page = page;
    this.base = base;
    this.allowed = allow;
  }

  static async open(browser: Browser, base: string, options: { allow?: RegExp[] } = {}): Promise<Tab> {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: "en-US", timezoneId: "UTC" });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    const tab = new Tab(context, page, base, options.allow ?? []);
    // At the end of the test, whatever it checked: a problem fails it, and the context closes.
    onTestFinished(async () => {
      const problems = [...tab.problems];
      await context.close().catch(() => undefined);
      if (problems.length > 0) throw new Error(`problems in the browser:\n${problems.join("\n")}`);
    });
    // CSP violations are reported as they happen (the list survives navigations).
    await context.exposeBinding("__e2eReport", (_source, kind: string, detail: string) => tab.record(`${kind}: ${detail}`));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        window.__e2eReport?.(
          "CSP violation",
          `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
        );
      });
    });
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location().url;
      tab.record(`console error: ${message.text()}${where ? ` (${where})` : ""}`);
    });
    page.on("pageerror", (error) => tab.record(`uncaught exception: ${error.message}`));
    page.on("crash", () => tab.record("the page crashed"));
    page.on("dialog", (dialog) => {
      tab.dialogs.push(dialog.message());
      tab.record(`a ${dialog.type()} dialog opened: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    return tab;
  }

  /** The problems recorded so far, forgotten (for a test that provokes one on purpose). */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  /** Tolerates problems matching `pattern` from now on (an expected 4xx answer, say). */
  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  private record(problem: string): void {
    if (!this.allowed.some((pattern) => pattern.test(problem))) this.problems.push(problem);
  }

  /**
   * Fails when the page logged an error, threw, violated the CSP or opened a dialog (checked
   * again when the test ends, for what happens after this call).
   */
  expectClean(): void {
    expect(this.problems, `problems on ${this.page.url()}`).toEqual([]);
  }

  url(pathname: string): string {
    return new URL(pathname, this.base).toString();
  }

  /** Direct navigation (a deep link, as a reload would be), then waits for the page to settle. */
  async goto(pathname: string): Promise<void> {
    await this.page.goto(this.url(pathname), { waitUntil: "domcontentloaded" });
    await settled(this.page);
  }

  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: "domcontentloaded" });
    await settled(this.page);
  }

  /** The path and query of the page. */
  location(): string {
    const url = new URL(this.page.url());
    return url.pathname + url.search;
  }
}

/** Waits for the page's one h1 and for its loading states to end. */
export async function settled(page: Page, timeout = 20_000): Promise<void> {
  await page.locator("h1").first().waitFor({ state: "visible", timeout });
  await page.waitForFunction(() => document.querySelectorAll(".state-loading").length === 0, undefined, {
    timeout,
    polling: 100,
  });
}

/** Waits until `locator` matches at least one visible element. */
export async function visible(locator: Locator, timeout = 15_000): Promise<Locator> {
  await locator.first().waitFor({ state: "visible", timeout });
  return locator;
}

/** Polls until `locator` matches exactly `n` elements. */
export async function expectCount(locator: Locator, n: number, timeout = 10_000): Promise<void> {
  await expect.poll(() => locator.count(), { timeout, interval: 100 }).toBe(n);
}

/** Polls until the text of `locator` contains `text`. */
export async function expectText(locator: Locator, text: string, timeout = 10_000): Promise<void> {
  await expect.poll(async () => (await locator.allInnerTexts()).join("\n"), { timeout, interval: 100 }).toContain(text);
}

// ---------------------------------------------------------------------------------------------
// Signing in at the test OIDC issuer

/** The issuer's own page may fetch a favicon it does not have. */
export const ISSUER_NOISE = /favicon\.ico/;

/** A tab on the OIDC `mozdef dev` (not signed in yet). */
export function openOidcTab(browser: Browser): Promise<Tab> {
  return Tab.open(browser, e2e().oidc.url, { allow: [ISSUER_NOISE] });
}

/** Waits for the issuer's form and signs in there; back on the UI, waits for the page. */
export async function signInAtIssuer(tab: Tab, email: string, groups: string): Promise<void> {
  const { page } = tab;
  const { issuer, url } = e2e().oidc;
  await page.waitForURL((u) => u.href.startsWith(`${issuer}/authorize`), { timeout: 20_000 });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Groups").fill(groups);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.href.startsWith(url) && !u.pathname.startsWith("/auth/callback"), { timeout: 20_000 });
  await settled(page);
}

/** A fresh tab signed in as `email` (groups comma-separated), on `path`. */
export async function signedIn(browser: Browser, email: string, groups: string, path: string): Promise<Tab> {
  const tab = await openOidcTab(browser);
  // The UI sends the browser on to the issuer at once: the navigation is only committed here.
  await tab.page.goto(tab.url(path), { waitUntil: "commit" });
  await signInAtIssuer(tab, email, groups);
  expect(tab.location(), "back where the sign-in started").toBe(path);
  return tab;
}

// ---------------------------------------------------------------------------------------------
// Accessibility

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** WCAG 2.0/2.1/2.2 A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string; summary: string }[];
}

/**
 * Runs axe-core on the page. The script is evaluated through the DevTools protocol (the page's
 * CSP allows no injected <script>, and need not).
 */
export async function axeViolations(page: Page, options: { only?: string[] } = {}): Promise<Violation[]> {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const run: RunOptions = options.only
    ? { runOnly: { type: "rule", values: options.only }, resultTypes: ["violations"] }
    : { runOnly: { type: "tag", values: WCAG_TAGS }, resultTypes: ["violations"] };
  // For diagnosis only (never in CI): E2E_AXE_SKIP=rule-id,rule-id leaves those rules out.
  const skip = (process.env.E2E_AXE_SKIP ?? "").split(",").filter(Boolean);
  if (skip.length > 0) run.rules = Object.fromEntries(skip.map((id) => [id, { enabled: false }]));
  return page.evaluate(async (runOptions) => {
    const results = await window.axe!.run(document, runOptions);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: (n.failureSummary ?? "").replace(/\s+/g, " ").trim() })),
    }));
  }, run);
}

export function formatViolations(where: string, violations: Violation[]): string {
  const lines = [`axe: ${violations.length} violation(s) on ${where}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s)`);
    for (const node of v.nodes.slice(0, 6)) lines.push(`    ${node.target}: ${node.summary.slice(0, 300)}`);
    if (v.nodes.length > 6) lines.push(`    … and ${v.nodes.length - 6} more`);
  }
  return lines.join("\n");
}

/** Fails with a readable list of the WCAG A/AA violations (id, help, target nodes). */
export async function expectAccessible(page: Page, options: { only?: string[] } = {}): Promise<void> {
  const violations = await axeViolations(page, options);
  if (violations.length > 0) {
    const url = new URL(page.url());
    throw new Error(formatViolations(url.pathname + url.search, violations));
  }
}

// ---------------------------------------------------------------------------------------------
// Screenshots

/** Saves the viewport (1280×800) as ../target/web-screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(e2e().screenshots, `${name.replace(/[^A-Za-z0-9_.-]+/g, "_")}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Hostile data

/** Elements that hostile event data would have created had it been rendered as HTML. */
export async function injectedMarkup(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const describe = (element: Element) =>
      `<${element.tagName.toLowerCase()}${Array.from(element.attributes, (a) => ` ${a.name}="${a.value}"`).join("")}>${(element.textContent ?? "").slice(0, 80)}`;
    for (const img of Array.from(document.querySelectorAll("img"))) {
      if (img.getAttribute("src") === "x" || img.hasAttribute("onerror")) found.push(describe(img));
    }
    for (const script of Array.from(document.querySelectorAll("script"))) {
      if (!script.src || (script.textContent ?? "").includes("alert(")) found.push(describe(script));
    }
    for (const b of Array.from(document.querySelectorAll("b"))) {
      if (b.textContent === "evil") found.push(describe(b));
    }
    for (const a of Array.from(document.querySelectorAll("a[href]"))) {
      if (/^\s*javascript:/i.test(a.getAttribute("href") ?? "")) found.push(describe(a));
    }
    return found;
  });
}

// ---------------------------------------------------------------------------------------------
// Small things

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A unique marker for text a test types (tests share the servers). */
export function marker(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
