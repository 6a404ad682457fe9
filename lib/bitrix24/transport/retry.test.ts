import { describe, expect, it } from "vitest";
import { B24Error, type B24ErrorCode } from "@/lib/errors";
import { createRetryPolicy, decide, isReadMethod } from "./retry";

const half = createRetryPolicy({ random: () => 0.5 });
const err = (code: B24ErrorCode, upstream?: string, upstreamStatus?: number, retryAfterSec?: number) =>
  new B24Error(code, "x", { upstream, upstreamStatus, retryAfterSec });

const queryLimit = err("rate_limited", "QUERY_LIMIT_EXCEEDED", 503);
const serverError = err("upstream_unavailable", "INTERNAL_SERVER_ERROR", 500);
const transport = err("upstream_unavailable");

describe("isReadMethod", () => {
  it.each(["crm.deal.list", "crm.deal.get", "user.current", "crm.deal.fields", "profile", "scope", "app.info", "server.time", "CRM.DEAL.LIST"])(
    "%s is a read",
    (m) => expect(isReadMethod(m)).toBe(true),
  );
  it.each(["crm.deal.add", "crm.deal.update", "crm.deal.delete", "event.bind", "app.option.set", "batch", "list", "get", "event.offline.get", "EVENT.OFFLINE.GET"])(
    "%s is not a read",
    (m) => expect(isReadMethod(m)).toBe(false),
  );
  it("a batch is a read only when every command is", () => {
    expect(isReadMethod("batch", ["crm.deal.list", "profile"])).toBe(true);
    expect(isReadMethod("batch", ["crm.deal.list", "crm.deal.add"])).toBe(false);
    expect(isReadMethod("batch", [])).toBe(false);
    expect(isReadMethod("batch", ["batch"])).toBe(false);
  });
});

describe("decide", () => {
  it("retries QUERY_LIMIT_EXCEEDED for any method, with capped exponential full jitter above one drain tick [#39]", () => {
    expect(half.decide(queryLimit, 1, "crm.deal.add")).toEqual({ retry: true, delayMs: 500 });
    const zero = createRetryPolicy({ random: () => 0, baseDelayMs: 1000 });
    expect(zero.decide(queryLimit, 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 500 });
    const top = createRetryPolicy({ random: () => 0.999999, baseDelayMs: 1000, maxDelayMs: 1500, maxAttempts: 10 });
    expect(top.decide(queryLimit, 1, "x.list")).toEqual({ retry: true, delayMs: 999 });
    expect(top.decide(queryLimit, 2, "x.list")).toEqual({ retry: true, delayMs: 1499 });
    expect(top.decide(queryLimit, 5, "x.list")).toEqual({ retry: true, delayMs: 1499 });
  });

  it("stops after 3 attempts in total", () => {
    expect(half.decide(queryLimit, 2, "crm.deal.list").retry).toBe(true);
    expect(half.decide(queryLimit, 3, "crm.deal.list")).toEqual({ retry: false });
    expect(half.decide(serverError, 3, "crm.deal.list")).toEqual({ retry: false });
  });

  it("honours Retry-After when it is longer than the backoff, and gives up when it is too long", () => {
    expect(half.decide(err("rate_limited", "QUERY_LIMIT_EXCEEDED", 503, 4), 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 4000 });
    expect(half.decide(err("rate_limited", "QUERY_LIMIT_EXCEEDED", 503, 120), 1, "crm.deal.list")).toEqual({ retry: false });
    expect(half.decide(err("upstream_unavailable", "HTTP_502", 502, 2), 1, "crm.deal.get")).toEqual({ retry: true, delayMs: 2000 });
  });

  it("retries 5xx and transport errors for reads only", () => {
    expect(half.decide(serverError, 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 250 });
    expect(half.decide(serverError, 2, "crm.deal.list")).toEqual({ retry: true, delayMs: 500 });
    expect(half.decide(transport, 1, "profile")).toEqual({ retry: true, delayMs: 250 });
    for (const m of ["crm.deal.add", "crm.deal.update", "crm.deal.delete", "event.bind"]) {
      expect(half.decide(serverError, 1, m)).toEqual({ retry: false });
      expect(half.decide(transport, 1, m)).toEqual({ retry: false });
    }
  });

  it("retries a batch of reads, never a batch containing a write or of unknown content", () => {
    expect(half.decide(serverError, 1, "batch", ["crm.deal.list", "crm.deal.get"]).retry).toBe(true);
    expect(half.decide(serverError, 1, "batch", ["crm.deal.list", "crm.deal.add"])).toEqual({ retry: false });
    expect(half.decide(serverError, 1, "batch")).toEqual({ retry: false });
    expect(half.decide(queryLimit, 1, "batch", ["crm.deal.add"]).retry).toBe(true);
  });

  it("waits for OPERATION_TIME_LIMIT until the reset when that is within the maximum wait", () => {
    expect(half.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429, 12), 1, "crm.deal.add")).toEqual({ retry: true, delayMs: 12_000 });
    expect(half.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429, 0), 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 0 });
    expect(half.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429, 30), 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 30_000 });
  });

  it("fails OPERATION_TIME_LIMIT at once when the reset is too far or unknown", () => {
    expect(half.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429, 31), 1, "crm.deal.list")).toEqual({ retry: false });
    expect(half.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429), 1, "crm.deal.list")).toEqual({ retry: false });
    const patient = createRetryPolicy({ random: () => 0.5, maxOperatingWaitMs: 600_000 });
    expect(patient.decide(err("rate_limited", "OPERATION_TIME_LIMIT", 429, 540), 1, "crm.deal.list")).toEqual({ retry: true, delayMs: 540_000 });
  });

  it.each([
    ["OVERLOAD_LIMIT", err("upstream_unavailable", "OVERLOAD_LIMIT", 503)],
    ["ACCESS_DENIED", err("forbidden", "ACCESS_DENIED", 403)],
    ["insufficient_scope", err("forbidden", "insufficient_scope", 401)],
    ["NO_AUTH_FOUND", err("needs_reauth", "NO_AUTH_FOUND", 401)],
    ["expired_token (the client renews, not the policy)", err("needs_reauth", "expired_token", 401)],
    ["PORTAL_DELETED", err("portal_blocked", "PORTAL_DELETED", 403)],
    ["PAYMENT_REQUIRED", err("payment_required", "PAYMENT_REQUIRED", 401)],
    ["portal moved (302)", err("upstream_unavailable", "PORTAL_MOVED", 302)],
    ["a method error (400)", err("rest_error", "ERROR_CORE", 400)],
    ["method not found", err("not_found", "ERROR_METHOD_NOT_FOUND", 404)],
    ["a garbled 200", err("upstream_unavailable", "HTTP_200", 200)],
  ])("never retries %s [#39]", (_label, e) => {
    expect(half.decide(e, 1, "crm.deal.list")).toEqual({ retry: false });
  });

  it("has a default policy", () => {
    expect(decide(err("forbidden", "ACCESS_DENIED", 403), 1, "crm.deal.list")).toEqual({ retry: false });
    const d = decide(queryLimit, 1, "crm.deal.list");
    expect(d.retry && d.delayMs >= 500 && d.delayMs <= 500).toBe(true);
  });
});
