/**
 * Every page, reached by direct navigation (a deep link or a reload): it renders its h1, logs no
 * error, breaks no CSP rule, passes axe-core (WCAG 2 A/AA), and leaves a screenshot. Both themes
 * pass the colour-contrast rule; hostile event data renders as text.
 */
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { call, HOSTILE_CATEGORY, HOSTILE_HOSTNAME, HOSTILE_SUMMARY } from "./servers";
import { browserForFile, e2e, expectAccessible, injectedMarkup, screenshot, settled, Tab, visible } from "./harness";

const browser = browserForFile();

function pages(): [string, string][] {
  const { seed } = e2e().open;
  return [
    ["home", "/"],
    ["alerts", "/alerts"],
    ["alert", `/alert/${seed.bruteforce[3]!.id}`],
    ["incidents", "/incidents"],
    ["incident-new", "/incident/new"],
    ["incident-edit", `/incident/${seed.incident.id}/edit`],
    ["investigations", "/investigations"],
    ["investigation-edit", `/investigation/${seed.investigation.id}/edit`],
    ["veris", "/veris"],
    ["watchlist", "/watchlist"],
    ["ipblocklist", "/ipblocklist"],
    ["fqdnblocklist", "/fqdnblocklist"],
    ["manage-alerts", "/manage-alerts"],
    ["preferences", "/preferences"],
    ["about", "/about"],
    ["search", `/search?q=${encodeURIComponent("details.program:sshd")}`],
    ["not-found", "/no/such/page"],
  ];
}

describe("every page by direct navigation", () => {
  // test.for reads the seed at collection time: the global setup has provided it by then.
  test.for(pages())("%s (%s)", async ([name, path]) => {
    const tab = await Tab.open(browser(), e2e().open.url);
    await tab.goto(path);
    expect(await tab.page.locator("h1").count(), "one h1").toBe(1);
    expect((await tab.page.locator("h1").innerText()).trim(), "the h1 says something").not.toBe("");
    expect(tab.location(), "no redirect").toBe(path);
    await screenshot(tab.page, name);
    await expectAccessible(tab.page);
    tab.expectClean();
  });
});

describe("the content security policy", () => {
  test("is sent with the UI and blocks an injected inline script, which the harness catches", async () => {
    const tab = await Tab.open(browser(), e2e().open.url);
    const response = await tab.page.goto(tab.url("/alerts"));
    const csp = (await response!.allHeaders())["content-security-policy"] ?? "";
    expect(csp, "a policy").toMatch(/script-src 'self'/);
    expect(csp, "no inline scripts").not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp, "Trusted Types").toMatch(/require-trusted-types-for 'script'; trusted-types 'none'/);
    await settled(tab.page);
    // Trusted Types refuse the script's text before script-src could: the DOM sink itself throws.
    const refused = await tab.page
      .evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.append(script);
        return "";
      })
      .catch((error: unknown) => String(error));
    expect(refused, "the sink throws").toMatch(/TrustedScript/);
    const seen: string[] = [];
    await expect
      .poll(() => {
        seen.push(...tab.takeProblems());
        return seen.join("\n");
      }, { timeout: 5_000 })
      .toMatch(/TrustedScript|CSP violation: require-trusted-types-for/);
    expect(await tab.page.evaluate(() => "__injected" in window), "the script did not run").toBe(false);
    // Chromium also logs the refusal; nothing else may have happened.
    await tab.page.waitForTimeout(300);
    seen.push(...tab.takeProblems());
    expect(seen.filter((p) => !/CSP violation|Content Security Policy|TrustedScript/.test(p))).toEqual([]);
    tab.expectClean();
  });
});

async function setTheme(theme: string): Promise<void> {
  const url = e2e().open.url;
  const current = await call<{ version: number }>("GET", `${url}/api/preferences`);
  await call("PUT", `${url}/api/preferences`, { ...current, theme });
}

describe("themes", () => {
  test.for([
    ["Dark", "dark"],
    ["Light", "light"],
  ])("the %s theme passes axe's colour contrast on /alerts", async ([theme, attribute]) => {
    await setTheme(theme!);
    try {
      const tab = await Tab.open(browser(), e2e().open.url);
      await tab.goto("/alerts");
      await tab.page.waitForFunction((want) => document.documentElement.dataset.theme === want, attribute);
      await visible(tab.page.getByRole("row").nth(1));
      await screenshot(tab.page, `alerts-${attribute}`);
      await expectAccessible(tab.page, { only: ["color-contrast", "link-in-text-block"] });
      tab.expectClean();
    } finally {
      await setTheme("Dark");
    }
  });
});

/** Whether the hostile text shows literally: as text, or as the value of a field being edited. */
function hostileTextShown(): boolean {
  const needle = "<script>alert(2)</script>";
  if (document.body.innerText.includes(needle)) return true;
  return Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")).some((field) =>
    field.value.includes(needle),
  );
}

describe("hostile data renders as text", () => {
  function hostilePages(): [string, string][] {
    const { seed } = e2e().open;
    return [
      ["alerts", "/alerts"],
      ["alert", `/alert/${seed.hostileAlert.id}`],
      ["search", `/search?q=${encodeURIComponent(`category:${HOSTILE_CATEGORY}`)}`],
      ["incidents", "/incidents"],
      ["incident", `/incident/${seed.hostileIncident.id}/edit`],
      ["watchlist", "/watchlist"],
    ];
  }

  test.for(hostilePages())("%s (%s)", async ([name, path]) => {
    const tab = await Tab.open(browser(), e2e().open.url);
    await tab.goto(path!);
    await tab.page.waitForFunction(hostileTextShown, undefined, { timeout: 15_000 });
    if (name === "search") {
      await visible(tab.page.getByText(HOSTILE_SUMMARY, { exact: false }));
      await visible(tab.page.getByText(HOSTILE_HOSTNAME, { exact: false }));
      // The event itself, 200 KB field and all.
      await tab.page.getByRole("button", { name: /^Open event/ }).first().click();
      await tab.page.waitForTimeout(500);
    }
    await screenshot(tab.page, `hostile-${name}`);
    await tab.page.waitForTimeout(300);
    expect(tab.dialogs, "no dialog opened").toEqual([]);
    expect(await injectedMarkup(tab.page), "no element made from the data").toEqual([]);
    tab.expectClean();
  });
});

describe("the controls users and these tests rely on have their names", () => {
  /** A role and an exact accessible name; "labelled": a form control with that label, of any role. */
  type Want = [role: Parameters<Page["getByRole"]>[0] | "labelled", name: string];
  function named(): [string, string, Want[]][] {
    const { seed } = e2e().open;
    return [
      [
        "alerts",
        "/alerts",
        [
          ["combobox", "Time period"],
          ["combobox", "Category"],
          ["combobox", "Severity"],
          ["combobox", "Status"],
          ["searchbox", "Search alerts"],
          ["button", "Acknowledge"],
          ["button", `${seed.bruteforce[3]!.ip!}: address menu`],
        ],
      ],
      ["alert", `/alert/${seed.bruteforce[3]!.id}`, [["button", "Escalate to investigation"], ["button", "Escalate to incident"]]],
      ["incidents", "/incidents", [["link", "New incident"], ["searchbox", "Search incidents"]]],
      [
        "incident",
        `/incident/${seed.incident.id}/edit`,
        [
          ["textbox", "Summary"],
          ["textbox", "Description"],
          ["combobox", "Phase"],
          ["labelled", "Date opened"],
          ["searchbox", "Filter VERIS tags"],
          ["tab", "References"],
          ["tab", "Theories"],
          ["button", "Save"],
          ["list", "People on this record"],
        ],
      ],
      ["investigation", `/investigation/${seed.investigation.id}/edit`, [["button", "Make incident"], ["button", "Save"]]],
      [
        "search",
        "/search",
        [
          ["searchbox", "Query"],
          ["combobox", "Time range"],
          ["button", "Search"],
        ],
      ],
      [
        "ipblocklist",
        "/ipblocklist",
        [
          ["textbox", "IP address or network"],
          ["combobox", "Duration"],
          ["textbox", "Comment"],
          ["textbox", "Reference"],
          ["button", "Block"],
          ["searchbox", "Search IP blocklist"],
        ],
      ],
      ["watchlist", "/watchlist", [["button", "Watch"]]],
      ["manage-alerts", "/manage-alerts", [["searchbox", "Filter alerts"], ["button", "Run bruteforce_ssh.AlertBruteforceSsh now"]]],
      [
        "preferences",
        "/preferences",
        [
          ["combobox", "Theme"],
          ["spinbutton", "Page size"],
          ["combobox", "Time zone"],
        ],
      ],
    ];
  }

  test.for(named())("%s (%s)", async ([, path, wants]) => {
    const tab = await Tab.open(browser(), e2e().open.url);
    await tab.goto(path!);
    const missing: string[] = [];
    for (const [role, name] of wants as Want[]) {
      const control = role === "labelled" ? tab.page.getByLabel(name, { exact: true }) : tab.page.getByRole(role, { name, exact: true });
      const found = await control
        .first()
        .waitFor({ state: "attached", timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (found) continue;
      // Labelled so, but with another role?
      const labelled = await tab.page.getByLabel(name, { exact: true }).count();
      missing.push(`${role} "${name}"${labelled > 0 ? " (a control is labelled so, with another role)" : ""}`);
    }
    expect(missing, `not found on ${path}`).toEqual([]);
    tab.expectClean();
  });
});
