import { describe, expect, it } from "vitest";
import { dashboardsDocLink, ipQuery, safeHttpUrl, searchLink } from "./links";

describe("links", () => {
  it("encodes search parameters", () => {
    expect(searchLink('hostname:"a&b"', 60)).toBe("/search?q=hostname%3A%22a%26b%22&minutes=60");
    expect(ipQuery("2001:db8::1")).toBe('details.sourceipaddress:"2001:db8::1" OR details.destinationipaddress:"2001:db8::1"');
  });

  it("lets only http(s) URLs through", () => {
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("data:text/html,x")).toBeNull();
    expect(safeHttpUrl("https://x.example/a b")).toBe("https://x.example/a%20b");
    expect(safeHttpUrl("not a url")).toBeNull();
  });

  it("builds Dashboards document links with encoded parts", () => {
    expect(dashboardsDocLink("https://d.example", "alerts-202612", "a/b")).toBe(
      "https://d.example/app/discover#/doc/alerts-*/alerts-202612?id=a%2Fb",
    );
    expect(dashboardsDocLink(null, "events-20261207", "x")).toBeNull();
  });
});
