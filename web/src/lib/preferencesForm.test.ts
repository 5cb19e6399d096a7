import { describe, expect, it } from "vitest";
import { canonicalZone, checkPreferences } from "./preferencesForm";

describe("checkPreferences", () => {
  it("accepts a valid draft", () => {
    expect(checkPreferences({ theme: "Light", pageSize: " 50 ", timezone: "Europe/Paris" })).toEqual({
      ok: true,
      value: { theme: "Light", pageSize: 50, timezone: "Europe/Paris" },
    });
    expect(checkPreferences({ theme: "Dark Side Nav", pageSize: "1", timezone: "UTC" }).ok).toBe(true);
    expect(checkPreferences({ theme: "Classic", pageSize: "500", timezone: "utc" })).toEqual({
      ok: true,
      value: { theme: "Classic", pageSize: 500, timezone: "UTC" },
    });
  });
  it("names each bad field", () => {
    const checked = checkPreferences({ theme: "Pink", pageSize: "0", timezone: "Mars/Olympus" });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual(["pageSize", "theme", "timezone"]);
  });
  it("bounds the page size", () => {
    for (const size of ["501", "-1", "2.5", "", "ten", "1e2"]) {
      const checked = checkPreferences({ theme: "Dark", pageSize: size, timezone: "UTC" });
      expect(checked.ok, size).toBe(false);
    }
  });
  it("wants a time zone", () => {
    expect(checkPreferences({ theme: "Dark", pageSize: "25", timezone: " " }).ok).toBe(false);
    expect(checkPreferences({ theme: "Dark", pageSize: "25", timezone: "x".repeat(65) }).ok).toBe(false);
  });
});

describe("canonicalZone", () => {
  it("canonicalises the case", () => {
    expect(canonicalZone("europe/paris")).toBe("Europe/Paris");
    expect(canonicalZone("UTC")).toBe("UTC");
    expect(canonicalZone("nowhere")).toBe("nowhere");
  });
});
