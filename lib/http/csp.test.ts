import { describe, expect, it } from "vitest";
import { frameAncestors, portalOrigin } from "./csp";

const cloud = { portalHosts: "^[a-z0-9-]+\\.bitrix24\\.com$|^127\\.0\\.0\\.1:\\d+$", allowHttpLoopback: false };

describe("frame-ancestors", () => {
  it("names only the session's portal, over https [#16]", () => {
    expect(frameAncestors(portalOrigin("acme.bitrix24.com", cloud))).toBe("frame-ancestors https://acme.bitrix24.com");
  });
  it("names a self-hosted portal the OAuth server vouched for (the session's host is only ever a vouched one)", () => {
    expect(frameAncestors(portalOrigin("crm.acme.example", cloud))).toBe("frame-ancestors https://crm.acme.example");
  });
  it("uses http only for loopback under the test opt-in", () => {
    expect(portalOrigin("127.0.0.1:7001", cloud)).toBe("https://127.0.0.1:7001");
    expect(portalOrigin("127.0.0.1:7001", { ...cloud, allowHttpLoopback: true })).toBe("http://127.0.0.1:7001");
  });
  it("refuses framing without a session or with a host outside the policy [#16]", () => {
    expect(frameAncestors(portalOrigin(undefined, cloud))).toBe("frame-ancestors 'none'");
    expect(frameAncestors(portalOrigin("10.0.0.1", cloud))).toBe("frame-ancestors 'none'");
    expect(frameAncestors(portalOrigin("intranet", cloud))).toBe("frame-ancestors 'none'");
    expect(frameAncestors(portalOrigin("acme.bitrix24.com https://evil.example", cloud))).toBe("frame-ancestors 'none'");
  });
});
