import { describe, expect, it } from "vitest";
import { caseEditPath, referenceLink } from "./caseLinks";

describe("referenceLink", () => {
  it("links escalated alerts inside the UI", () => {
    expect(referenceLink("/alert/023cfad6f8eb")).toEqual({ kind: "alert", id: "023cfad6f8eb", to: "/alert/023cfad6f8eb" });
    expect(referenceLink("https://mozdef.example.com/alert/abc")).toEqual({ kind: "alert", id: "abc", to: "/alert/abc" });
  });
  it("links http(s) URLs only", () => {
    expect(referenceLink("https://bugzilla.example.com/show_bug.cgi?id=1")).toEqual({
      kind: "url",
      href: "https://bugzilla.example.com/show_bug.cgi?id=1",
    });
    expect(referenceLink("javascript:alert(1)")).toBeNull();
    expect(referenceLink("data:text/html,<script>")).toBeNull();
    expect(referenceLink("bug 1234")).toBeNull();
    expect(referenceLink("/alert/../../x")).toBeNull();
  });
});

describe("caseEditPath", () => {
  it("encodes the id", () => {
    expect(caseEditPath("incidents", "a b")).toBe("/incident/a%20b/edit");
    expect(caseEditPath("investigations", "x")).toBe("/investigation/x/edit");
  });
});
