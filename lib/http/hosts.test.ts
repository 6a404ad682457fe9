import { describe, expect, it } from "vitest";
import { DEFAULT_PORTAL_HOSTS } from "@/lib/env";
import { checkPortalInput, checkVouchedEndpoint, checkVouchedHost, hostError, hostErrorText, isLoopbackHost, type HostPolicy } from "./hosts";

const cloud: HostPolicy = { portalHosts: DEFAULT_PORTAL_HOSTS, allowHttpLoopback: false };
const tests: HostPolicy = { portalHosts: "^127\\.0\\.0\\.1:\\d+$", allowHttpLoopback: true };

describe("checkPortalInput (cloud defaults)", () => {
  it.each([
    ["acme.bitrix24.com", "acme.bitrix24.com"],
    ["  ACME.Bitrix24.de ", "acme.bitrix24.de"],
    ["https://acme.bitrix24.com/", "acme.bitrix24.com"],
    ["https://acme.bitrix24.com/crm/deal/", "acme.bitrix24.com"],
    ["my-company.bitrix24.com.br", "my-company.bitrix24.com.br"],
    ["acme.bitrix24.com.", "acme.bitrix24.com"],
    // WHATWG URL parsing maps ideographic dots to "." exactly as the browser will when it follows the redirect.
    ["acme.bitrix24。com", "acme.bitrix24.com"],
  ])("accepts %j as %s over https", (input, host) => {
    expect(checkPortalInput(input, cloud)).toEqual({ ok: true, host, scheme: "https" });
  });

  it.each([
    ["", "empty"],
    ["evil.example", "not_allowed"],
    ["a.bitrix24.com.evil.example", "not_allowed"],
    ["user@x.bitrix24.ru", "malformed"],
    ["https://user:pw@x.bitrix24.ru", "malformed"],
    ["x.bitrix24.ru:8443", "not_allowed"],
    ["bitrix24.com", "not_allowed"],
    ["-invalid.bitrix24.com", "not_allowed"],
    ["a.b.bitrix24.com", "not_allowed"],
    ["https://acme.bitrix24.com/?x=1", "malformed"],
    ["javascript:alert(1)", "malformed"],
    ["acme.bitrix24.com/path", "malformed"],
    ["127.0.0.1:7000", "not_allowed"],
    ["http://acme.bitrix24.com", "insecure"],
    ["x".repeat(300), "malformed"],
  ])("refuses %j (%s) [#8]", (input, reason) => {
    expect(checkPortalInput(input, cloud)).toEqual({ ok: false, reason });
  });
});

describe("checkPortalInput (emulator policy)", () => {
  it("accepts a loopback portal over http only under the opt-in", () => {
    expect(checkPortalInput("127.0.0.1:7001", tests)).toEqual({ ok: true, host: "127.0.0.1:7001", scheme: "http" });
    expect(checkPortalInput("http://127.0.0.1:7001", { ...tests, allowHttpLoopback: false })).toEqual({ ok: false, reason: "insecure" });
  });
  it("knows loopback hosts", () => {
    expect(isLoopbackHost("127.0.0.1:80")).toBe(true);
    expect(isLoopbackHost("[::1]:80")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.evil.example")).toBe(false);
  });
});

describe("B24_PORTAL_HOSTS for a self-hosted portal", () => {
  const selfHosted: HostPolicy = { portalHosts: "^(crm\\.acme\\.example|b24\\.acme\\.example:8443|10\\.0\\.0\\.5)$", allowHttpLoopback: false };

  it("matches the whole host with its port, and refuses IP addresses other than loopback even when the pattern matches", () => {
    expect(checkPortalInput("crm.acme.example", selfHosted)).toEqual({ ok: true, host: "crm.acme.example", scheme: "https" });
    expect(checkPortalInput("b24.acme.example:8443", selfHosted)).toEqual({ ok: true, host: "b24.acme.example:8443", scheme: "https" });
    expect(checkPortalInput("b24.acme.example", selfHosted)).toEqual({ ok: false, reason: "not_allowed" });
    expect(checkPortalInput("crm.acme.example:8443", selfHosted)).toEqual({ ok: false, reason: "not_allowed" });
    // https's own port is dropped before matching, as the browser does.
    expect(checkPortalInput("crm.acme.example:443", selfHosted)).toEqual({ ok: true, host: "crm.acme.example", scheme: "https" });
    expect(checkPortalInput("10.0.0.5", selfHosted)).toEqual({ ok: false, reason: "ip_address" });
  });

  it("names the rule that refused the host", () => {
    expect(hostErrorText("not_allowed", cloud)).toContain("cloud portals");
    const custom = hostErrorText("not_allowed", selfHosted);
    expect(custom).toContain("B24_PORTAL_HOSTS");
    expect(custom).toContain(selfHosted.portalHosts);
    expect(custom).not.toContain("cloud");
    expect(hostErrorText("ip_address", selfHosted)).toContain("not an IP address");
  });

  it("names the landing page's message for the person's language, with the operator's pattern as a value", () => {
    expect(hostError("empty", cloud)).toEqual({ key: "empty" });
    expect(hostError("not_allowed", cloud)).toEqual({ key: "not_allowed_cloud" });
    expect(hostError("not_allowed", selfHosted)).toEqual({ key: "not_allowed_pattern", pattern: selfHosted.portalHosts });
    expect(hostErrorText("not_allowed", selfHosted)).not.toMatch(/<\/?code>|\{pattern\}/);
  });
});

describe("checkVouchedEndpoint: what the pinned OAuth server reported for the portal it vouched for", () => {
  it.each([
    ["an allow-listed cloud portal", "https://acme.bitrix24.com/rest/"],
    ["a self-hosted portal outside the allow-list", "https://crm.acme.local/rest/"],
    ["a self-hosted portal on its own domain", "https://b24.acme.com/rest/"],
    ["https's own port, dropped", "https://b24.acme.com:443/rest/"],
  ])("accepts %s", (_what, url) => {
    expect(checkVouchedEndpoint(url, cloud)).toBe(url.replace(":443", ""));
  });

  it("accepts loopback over http only under the opt-in, outside the allow-list too", () => {
    expect(checkVouchedEndpoint("http://127.0.0.1:7001/rest/", tests)).toBe("http://127.0.0.1:7001/rest/");
    expect(checkVouchedEndpoint("http://localhost:7001/rest/", tests)).toBe("http://localhost:7001/rest/");
    expect(checkVouchedEndpoint("http://localhost:7001/rest/", cloud)).toBeNull();
    expect(checkVouchedEndpoint("http://127.0.0.1:7001/rest/", cloud)).toBeNull();
    expect(checkVouchedEndpoint("https://127.0.0.1:7001/rest/", tests)).toBeNull();
  });

  it.each([
    "http://acme.bitrix24.com/rest/",
    "http://crm.acme.local/rest/",
    "https://user@crm.acme.local/rest/",
    "https://crm.acme.local:8443/rest/",
    "https://acme.bitrix24.com:8443/rest/",
    "https://crm.acme.local/rest/?auth=x",
    "https://crm.acme.local/rest/#x",
    "https://crm.acme.local/other/",
    "https://intranet/rest/",
    "https://10.0.0.1/rest/",
    "https://169.254.169.254/rest/",
    "https://[::1]/rest/",
    "https://[::ffff:10.0.0.1]/rest/",
    "https://[fd00::1]/rest/",
    "ftp://crm.acme.local/rest/",
    "not a url",
    42,
  ])("refuses %s [#23]", (url) => {
    expect(checkVouchedEndpoint(url, cloud)).toBeNull();
  });

  it.each(["http://crm.acme.local/rest/", "https://user@crm.acme.local/rest/", "https://crm.acme.local/rest/?auth=x", "https://crm.acme.local/other/", "https://10.0.0.1/rest/", "https://[fd00::1]/rest/"])(
    "refuses %s even when the operator's allow-list matches every host",
    (url) => {
      expect(checkVouchedEndpoint(url, { ...cloud, portalHosts: "^.*$" })).toBeNull();
    },
  );

  it("keeps the allow-list for the host a person types: a vouched-only host is still refused there", () => {
    expect(checkVouchedHost("crm.acme.local", cloud)).toEqual({ ok: true, host: "crm.acme.local", scheme: "https" });
    expect(checkPortalInput("crm.acme.local", cloud)).toEqual({ ok: false, reason: "not_allowed" });
  });
});
