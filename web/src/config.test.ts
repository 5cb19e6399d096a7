import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";

describe("parseConfig", () => {
  it("reads the open mode", () => {
    expect(parseConfig({ apiUrl: "", oidc: null })).toEqual({ apiUrl: "", oidc: null, dashboardsUrl: null });
  });

  it("reads OIDC and always asks for openid", () => {
    const config = parseConfig({
      apiUrl: "https://api.example.com/",
      oidc: { authority: "https://idp.example.com", clientId: "web", scope: "email" },
      dashboardsUrl: "https://dash.example.com/_dashboards",
    });
    expect(config.apiUrl).toBe("https://api.example.com");
    expect(config.oidc).toEqual({ authority: "https://idp.example.com", clientId: "web", scope: "openid email", bearer: "access_token" });
    expect(parseConfig({ oidc: { authority: "https://i.example", clientId: "w", bearer: "id_token" } }).oidc?.bearer).toBe("id_token");
    expect(config.dashboardsUrl).toBe("https://dash.example.com/_dashboards");
  });

  it("names what is wrong", () => {
    expect(() => parseConfig([])).toThrow("config.json must be a JSON object");
    expect(() => parseConfig({ oidc: { clientId: "x" } })).toThrow("oidc.authority is missing");
    expect(() => parseConfig({ oidc: { authority: "https://i" } })).toThrow("oidc.clientId is missing");
    expect(() => parseConfig({ apiUrl: "javascript:alert(1)" })).toThrow("apiUrl must be an http(s) URL");
    expect(() => parseConfig({ apiUrl: 5 })).toThrow("apiUrl must be a string");
    expect(() => parseConfig({ oidc: { authority: "https://i", clientId: "w", bearer: "refresh_token" } })).toThrow(
      "oidc.bearer must be access_token or id_token",
    );
  });
});
