/**
 * Triage on /alerts and /alert/<id>: the filters narrow the rows (and live in the URL), an
 * acknowledgement names who made it, escalating makes an incident that references the alert,
 * and the incident's edits are saved.
 */
import { expect, test } from "vitest";
import type { Page } from "playwright-core";
import { call } from "./servers";
import { browserForFile, e2e, expectCount, expectText, marker, Tab, visible } from "./harness";

const browser = browserForFile();

function rows(page: Page) {
  return page.getByRole("table", { name: /^Alerts/ }).locator("tbody").getByRole("row");
}

test("Category and Search alerts narrow the rows, and a reload keeps them", async () => {
  const { seed } = e2e().open;
  const tab = await Tab.open(browser(), e2e().open.url);
  await tab.goto("/alerts");
  const { page } = tab;
  await visible(rows(page).filter({ hasText: seed.bruteforce[0]!.summary }));
  const all = await rows(page).count();
  expect(all, "the seeded alerts").toBeGreaterThanOrEqual(seed.bruteforce.length + 1);

  await page.getByLabel("Category", { exact: true }).fill("execve");
  await page.waitForURL((url) => url.searchParams.get("category") === "execve");
  await expectCount(rows(page), 1);
  await expectText(rows(page), "SFTP Event");
  await tab.reload();
  await expectCount(rows(page), 1);
  expect(await page.getByLabel("Category", { exact: true }).inputValue()).toBe("execve");

  await tab.goto("/alerts");
  const ip = seed.bruteforce[3]!.ip!;
  await page.getByLabel("Search alerts").fill(ip);
  await page.waitForURL((url) => url.searchParams.get("q") === ip);
  await expectCount(rows(page), 1);
  await expectText(rows(page), seed.bruteforce[3]!.summary);
  tab.expectClean();
});

test("Acknowledge names who acknowledged", async () => {
  const alert = e2e().open.seed.bruteforce[0]!;
  const tab = await Tab.open(browser(), e2e().open.url);
  await tab.goto("/alerts");
  const row = rows(tab.page).filter({ hasText: alert.summary });
  await visible(row);
  await row.getByRole("button", { name: "Acknowledge", exact: true }).click();
  await visible(row.getByRole("button", { name: "Unacknowledge", exact: true }));
  // Open mode: everybody is anonymous@localhost.
  await expectText(row, "anonymous@localhost");
  await tab.reload();
  await expectText(rows(tab.page).filter({ hasText: alert.summary }), "anonymous@localhost");
  tab.expectClean();
});

test("Escalate to incident lands on the incident, which references the alert; its edits are saved", async () => {
  const alert = e2e().open.seed.bruteforce[1]!;
  const tab = await Tab.open(browser(), e2e().open.url);
  const { page } = tab;
  await tab.goto(`/alert/${alert.id}`);
  await page.getByRole("button", { name: "Escalate to incident", exact: true }).click();
  await page.waitForURL((url) => /^\/incident\/[^/]+\/edit$/.test(url.pathname) && !url.pathname.startsWith("/incident/new"));
  await visible(page.getByLabel("Summary", { exact: true }));

  await page.getByRole("tab", { name: "References" }).click();
  const references = page.getByRole("tabpanel");
  await expect
    .poll(async () => {
      const text = (await references.allInnerTexts()).join("\n");
      const values = await references.locator("input, textarea").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
      const hrefs = await references.locator("a[href]").evaluateAll((els) => els.map((e) => e.getAttribute("href") ?? ""));
      return [text, ...values, ...hrefs].join("\n");
    }, { timeout: 10_000 })
    .toContain(alert.id);

  const summary = `Escalated ${marker("summary")}`;
  const description = `Description ${marker("description")}`;
  await page.getByLabel("Summary", { exact: true }).fill(summary);
  await page.getByLabel("Description", { exact: true }).fill(description);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
  await expect
    .poll(async () => (await call<{ summary: string }>("GET", `${e2e().open.url}/api/incidents/${encodeURIComponent(id)}`)).summary, {
      timeout: 10_000,
    })
    .toBe(summary);
  await tab.reload();
  await expect.poll(() => page.getByLabel("Summary", { exact: true }).inputValue(), { timeout: 10_000 }).toBe(summary);
  expect(await page.getByLabel("Description", { exact: true }).inputValue()).toBe(description);
  tab.expectClean();
});
