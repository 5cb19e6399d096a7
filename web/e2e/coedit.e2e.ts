/**
 * Two people on one incident (two browser contexts signed in as different responders through
 * the OIDC issuer): each sees the other, a save in one shows in the other within 2 s, and
 * conflicting edits of the description from the same version keep both texts.
 */
import { expect, test } from "vitest";
import { browserForFile, e2e, expectText, marker, screenshot, signedIn, type Tab } from "./harness";

const browser = browserForFile();

function field(tab: Tab, label: string) {
  return tab.page.getByLabel(label, { exact: true });
}

test("two editors see each other, each other's saves, and a conflict keeps both texts", async () => {
  const path = `/incident/${e2e().oidc.incidentId}/edit`;
  const a = await signedIn(browser(), "alice.coedit@example.com", "responder", path);
  const b = await signedIn(browser(), "bob.coedit@example.com", "responder", path);

  // Presence: each sees the other.
  await expectText(a.page.getByRole("list", { name: "People on this record" }), "bob.coedit@example.com", 15_000);
  await expectText(b.page.getByRole("list", { name: "People on this record" }), "alice.coedit@example.com", 15_000);

  // A saves; B shows it within 2 s of the click.
  const summary = `Co-edited ${marker("summary")}`;
  await field(a, "Summary").fill(summary);
  await a.page.getByRole("button", { name: "Save", exact: true }).click();
  const saved = Date.now();
  await expect.poll(() => field(b, "Summary").inputValue(), { timeout: 2_000, interval: 50 }).toBe(summary);
  console.log(`coedit: A's save showed in B after ${Date.now() - saved} ms`);

  // Both change the description from the same version; A saves, then B. The later save is
  // refused (409, which the browser logs) and merged with the record as it is now.
  a.allow(/status of 409 \(Conflict\)/);
  b.allow(/status of 409 \(Conflict\)/);
  const textA = `Alice thinks ${marker("a")}`;
  const textB = `Bob thinks ${marker("b")}`;
  await field(a, "Description").fill(textA);
  await field(b, "Description").fill(textB);
  await a.page.getByRole("button", { name: "Save", exact: true }).click();
  await b.page.getByRole("button", { name: "Save", exact: true }).click();
  for (const tab of [a, b]) {
    await expect
      .poll(() => field(tab, "Description").inputValue(), { timeout: 10_000, interval: 100 })
      .toSatisfy((text: string) => text.includes(textA) && text.includes(textB));
  }
  // And so does the record, read afresh.
  await b.reload();
  const stored = await field(b, "Description").inputValue();
  expect(stored).toContain(textA);
  expect(stored).toContain(textB);
  await screenshot(b.page, "incident-coedited");
  a.expectClean();
  b.expectClean();
});
