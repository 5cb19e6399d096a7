/** The IP address menu of the alerts table: Block puts the address on the IP blocklist. */
import { expect, test } from "vitest";
import { browserForFile, e2e, expectText, marker, Tab, visible } from "./harness";

const browser = browserForFile();

test("Block from an address's menu on /alerts lands the address on /ipblocklist", async () => {
  const { seed } = e2e().open;
  const ip = seed.bruteforce[2]!.ip!;
  const comment = marker("blocked-from-menu");
  const tab = await Tab.open(browser(), e2e().open.url);
  await tab.goto("/alerts");
  const { page } = tab;
  const menuButton = page.getByRole("button", { name: `${ip}: address menu`, exact: true }).first();
  await visible(menuButton);
  await menuButton.click();
  const menu = page.getByRole("menu");
  await visible(menu);
  expect(await menu.getByRole("menuitem").allInnerTexts()).toEqual(["Copy", "Whois", "DShield", "Search events", "Watch", "Block"]);
  await menu.getByRole("menuitem", { name: "Block", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await visible(dialog);
  expect(await dialog.getByRole("textbox", { name: "IP address or network" }).inputValue()).toBe(ip);
  await dialog.getByRole("textbox", { name: "Comment" }).fill(comment);
  await dialog.getByRole("button", { name: "Block", exact: true }).click();
  await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);

  await tab.goto("/ipblocklist");
  const row = page.getByRole("row").filter({ hasText: comment });
  await visible(row);
  await expectText(row, ip);
  tab.expectClean();
});
