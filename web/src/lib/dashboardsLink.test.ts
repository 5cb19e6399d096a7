import { describe, expect, it } from "vitest";
import { dashboardsSearchLink } from "./links";

describe("dashboardsSearchLink", () => {
  it("is null without Dashboards", () => {
    expect(dashboardsSearchLink(null, "a", 60)).toBeNull();
  });
  it("carries the query and the window, encoded", () => {
    const link = dashboardsSearchLink("https://d.example", `hostname:"it's" AND x:!y&z=1#h`, 60)!;
    expect(link.startsWith("https://d.example/app/discover#/?_g=")).toBe(true);
    const hash = new URL(link).hash;
    expect(hash).not.toContain("&z=1");
    const params = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
    expect(params.get("_g")).toBe("(time:(from:now-60m,to:now))");
    expect(params.get("_a")).toBe(`(index:'events-*',query:(language:lucene,query:'hostname:"it!'s" AND x:!!y&z=1#h'))`);
  });
  it("searches everything for an empty query", () => {
    const link = dashboardsSearchLink("https://d.example", "  ", 1440)!;
    expect(decodeURIComponent(link)).toContain("query:'*'");
  });
});
