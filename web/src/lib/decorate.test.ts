import { describe, expect, it } from "vitest";
import { isIp, isIpv6, shownTokens, tokenize } from "./decorate";

const ips = (text: string) => tokenize(text).filter((t) => t.kind === "ip").map((t) => t.value);

describe("tokenize", () => {
  it("gives the text back when joined", () => {
    const text = "Failed password for admin from 1.2.3.4 port 22 ssh2; then 2001:db8::1 <script>";
    expect(tokenize(text).map((t) => t.value).join("")).toBe(text);
  });

  it("finds IPv4 and IPv6 addresses as whole words", () => {
    expect(ips("from 1.2.3.4 port 4242")).toEqual(["1.2.3.4"]);
    expect(ips("src=10.0.0.1, dst=192.168.1.254.")).toEqual(["10.0.0.1", "192.168.1.254"]);
    expect(ips("v6 2001:db8::1 and ::1 and fe80::1:2")).toEqual(["2001:db8::1", "::1", "fe80::1:2"]);
    expect(ips("mapped ::ffff:10.1.2.3 here")).toEqual(["::ffff:10.1.2.3"]);
  });

  it("leaves versions, hashes, times and out-of-range octets alone", () => {
    expect(ips("version 1.2.3.4.5 of it")).toEqual([]);
    expect(ips("256.1.1.1 and 1.2.3")).toEqual([]);
    expect(ips("at 12:30:45 today")).toEqual([]);
    expect(ips("sha deadbeefcafe")).toEqual([]);
    expect(ips("a1.2.3.4")).toEqual([]);
  });

  it("splits an address off a port colon or a full stop", () => {
    expect(ips("connect 1.2.3.4:443 now")).toEqual(["1.2.3.4"]);
    expect(ips("blocked 8.8.8.8.")).toEqual(["8.8.8.8"]);
  });

  it("keeps hostile text as plain text tokens", () => {
    const tokens = tokenize('<img src=x onerror="alert(1)"> 9.9.9.9');
    expect(tokens[0]).toEqual({ kind: "text", value: '<img src=x onerror="alert(1)"> ' });
    expect(tokens[1]).toEqual({ kind: "ip", value: "9.9.9.9" });
  });
});

describe("isIp", () => {
  it("checks RFC 4291 forms", () => {
    expect(isIpv6("2001:0db8:0000:0000:0000:ff00:0042:8329")).toBe(true);
    expect(isIpv6("2001:db8::ff00:42:8329")).toBe(true);
    expect(isIpv6("1:2:3:4:5:6:7:8:9")).toBe(false);
    expect(isIpv6("1::2::3")).toBe(false);
    expect(isIpv6("12345::")).toBe(false);
    expect(isIp("::")).toBe(true);
    expect(isIp("not:an:ip")).toBe(false);
  });
});

describe("shownTokens", () => {
  it("keeps a short text whole", () => {
    expect(shownTokens("from 1.2.3.4", 100, 10)).toEqual({
      tokens: [
        { kind: "text", value: "from " },
        { kind: "ip", value: "1.2.3.4" },
      ],
      cut: false,
    });
  });
  it("cuts a long text at the limit", () => {
    const { tokens, cut } = shownTokens("x".repeat(50), 10, 10);
    expect(cut).toBe(true);
    expect(tokens).toEqual([{ kind: "text", value: "x".repeat(10) }]);
  });
  it("makes the addresses past the cap plain text", () => {
    const { tokens } = shownTokens("1.1.1.1 2.2.2.2 3.3.3.3 end", 100, 2);
    expect(tokens).toEqual([
      { kind: "ip", value: "1.1.1.1" },
      { kind: "text", value: " " },
      { kind: "ip", value: "2.2.2.2" },
      { kind: "text", value: " 3.3.3.3 end" },
    ]);
  });
});
