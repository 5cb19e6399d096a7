import { describe, expect, it } from "vitest";
import type { ListEntry } from "../api/types";
import { entryValue, isExpired } from "./listEntries";

const base: ListEntry = {
  id: "1",
  version: 1,
  created: "",
  createdBy: "",
  modified: "",
  modifiedBy: "",
  dateAdded: "2026-12-07T07:00:00Z",
  dateExpiring: "2026-12-08T07:00:00Z",
  comment: "",
  creator: "a@example.com",
  reference: "",
};

describe("list entries", () => {
  it("reads the value by list", () => {
    expect(entryValue({ ...base, address: "1.2.3.4/32" }, "ipblocklist")).toBe("1.2.3.4/32");
    expect(entryValue({ ...base, fqdn: "bad.example.com" }, "fqdnblocklist")).toBe("bad.example.com");
    expect(entryValue({ ...base, watchcontent: "jdoe" }, "watchlist")).toBe("jdoe");
    expect(entryValue(base, "watchlist")).toBe("");
  });
  it("knows expired entries", () => {
    const now = Date.parse("2026-12-08T08:00:00Z");
    expect(isExpired(base, now)).toBe(true);
    expect(isExpired(base, Date.parse("2026-12-07T08:00:00Z"))).toBe(false);
    expect(isExpired({ dateExpiring: null }, now)).toBe(false);
    expect(isExpired({ dateExpiring: "garbage" }, now)).toBe(false);
  });
});
