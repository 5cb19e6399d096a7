/**
 * Event search: a query string gives results and facets, an event opens as a JSON tree, and a
 * query that does not parse says where.
 */
import { expect, test } from "vitest";
import { browserForFile, e2e, expectText, Tab, visible } from "./harness";

const browser = browserForFile();

test("a query shows results and facets; an event opens as a JSON tree", async () => {
  const tab = await Tab.open(browser(), e2e().open.url);
  await tab.goto("/search");
  const { page } = tab;
  await page.getByLabel("Query").fill("details.program:sshd AND hostname:bastion1");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get("q") === "details.program:sshd AND hostname:bastion1");
  const events = page.getByRole("table", { name: "Events" });
  await visible(events.getByRole("row").filter({ hasText: "Failed password for invalid user admin" }));
  // 10 events for each of the brute-force addresses.
  await expectText(page.getByRole("status").filter({ hasText: /events?\b/ }), "40 events");
  const facets = page.getByRole("complementary", { name: "Top values" });
  await expectText(facets, "bastion1");
  await expectText(facets, "sshd");
  await page.getByRole("button", { name: "Open event 1", exact: true }).click();
  const tree = page.getByRole("list", { name: /^Event / });
  await visible(tree);
  await expectText(tree, "sourceipaddress");
  await expectText(tree, "bastion1");
  expect(new URL(page.url()).searchParams.get("event"), "the open event is in the URL").toBeTruthy();
  tab.expectClean();
});

test("a query that does not parse shows the error and where it is", async () => {
  const tab = await Tab.open(browser(), e2e().open.url);
  // The API answers 400, which the browser logs.
  tab.allow(/status of 400/);
  await tab.goto("/search");
  const { page } = tab;
  await page.getByLabel("Query").fill("category:(foo");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const error = page.getByRole("search").getByRole("alert");
  await visible(error);
  // The API names byte 9 (the unclosed parenthesis): column 10, a caret under it.
  await expectText(error, "column 10");
  await expectText(error, "category:(foo");
  expect(await error.locator("pre").innerText()).toContain(`${" ".repeat(9)}^`);
  tab.expectClean();
});
