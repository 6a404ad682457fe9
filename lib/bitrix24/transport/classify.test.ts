import { describe, expect, it } from "vitest";
import { blocksPortal, classifyOAuth, classifyRest } from "./classify";

describe("the one classifier of Bitrix24's error codes", () => {
  it.each([
    ["ERROR_METHOD_NOT_FOUND", 404, "not_found"],
    ["ERROR_METHOD_NOT_FOUND", undefined, "not_found"],
    ["expired_token", 401, "needs_reauth"],
    ["QUERY_LIMIT_EXCEEDED", 503, "rate_limited"],
    ["OPERATION_TIME_LIMIT", undefined, "rate_limited"],
    ["insufficient_scope", 401, "forbidden"],
    ["PAYMENT_REQUIRED", 401, "payment_required"],
    ["PORTAL_DELETED", 403, "portal_blocked"],
    ["SOMETHING_NEW", 500, "upstream_unavailable"],
    ["SOMETHING_NEW", 200, "upstream_unavailable"],
    ["SOMETHING_NEW", 400, "rest_error"],
    ["SOMETHING_NEW", undefined, "rest_error"],
  ] as const)("REST %s (HTTP %s) is %s, whether from call() or a batch sub-command", (upstream, status, code) => {
    expect(classifyRest(upstream, status)).toBe(code);
  });

  it.each([
    ["invalid_grant", "invalid_grant"],
    ["INVALID_GRANT", "invalid_grant"],
    ["wrong_client", "oauth_client_rejected"],
    ["PAYMENT_REQUIRED", "payment_required"],
    ["NOT_INSTALLED", "needs_reauth"],
    ["anything_else", "invalid_token_response"],
  ] as const)("OAuth %s is %s", (upstream, code) => {
    expect(classifyOAuth(upstream)).toBe(code);
  });

  it("blocks the portal for PAYMENT_REQUIRED, PORTAL_DELETED and a plan-level ACCESS_DENIED only", () => {
    expect(blocksPortal("PAYMENT_REQUIRED", 401)).toBe(true);
    expect(blocksPortal("PORTAL_DELETED", 403)).toBe(true);
    expect(blocksPortal("ACCESS_DENIED", 401)).toBe(true);
    expect(blocksPortal("ACCESS_DENIED", 403)).toBe(false);
    expect(blocksPortal("QUERY_LIMIT_EXCEEDED", 503)).toBe(false);
  });
});
