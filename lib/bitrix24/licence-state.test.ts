import { describe, expect, it } from "vitest";
import { licenceOfSnapshot, parseAppInfo, type LicenceSnapshot } from "./licence-state";

const at = new Date("2030-01-01T00:00:00Z");
const snap = (s: Partial<LicenceSnapshot>): LicenceSnapshot => ({
  appStatus: null, paymentExpired: false, days: null, family: "ent", checkedAt: at, portalStatus: "active", statusReason: null, ...s,
});
const view = (s: Partial<LicenceSnapshot>) => {
  const l = licenceOfSnapshot(snap(s));
  return [l.state, l.allowed, l.expiring, l.daysLeft];
};

describe("licence state from app.info (every STATUS, grace, negative and null DAYS)", () => {
  it("free and local apps are always allowed and have no end", () => {
    expect(view({ appStatus: "F", days: null })).toEqual(["free", true, false, null]);
    expect(view({ appStatus: "L", days: null })).toEqual(["local", true, false, null]);
    // Known from a token answer alone, before app.info was ever read.
    expect(view({ appStatus: "L", checkedAt: null })).toEqual(["local", true, false, null]);
  });

  it("a trial is allowed until its end and expired at once after it (no grace)", () => {
    expect(view({ appStatus: "T", days: 12 })).toEqual(["trial", true, false, 12]);
    expect(view({ appStatus: "T", days: 3 })).toEqual(["trial", true, true, 3]);
    expect(view({ appStatus: "T", days: 0 })).toEqual(["trial", true, true, 0]);
    expect(view({ appStatus: "T", days: -1, paymentExpired: true })).toEqual(["expired", false, false, -1]);
    expect(view({ appStatus: "T", days: null, paymentExpired: true })).toEqual(["expired", false, false, null]);
  });

  it("a paid app keeps working through the 14-day grace (expiring), then is expired", () => {
    expect(view({ appStatus: "P", days: 200 })).toEqual(["paid", true, false, 200]);
    expect(view({ appStatus: "P", days: 4 })).toEqual(["paid", true, true, 4]);
    expect(view({ appStatus: "P", days: -1, paymentExpired: true })).toEqual(["paid", true, true, -1]);
    expect(view({ appStatus: "P", days: -14, paymentExpired: true })).toEqual(["paid", true, true, -14]);
    expect(view({ appStatus: "P", days: -15, paymentExpired: true })).toEqual(["expired", false, false, -15]);
    expect(view({ appStatus: "P", days: null })).toEqual(["paid", true, false, null]);
    expect(view({ appStatus: "P", days: null, paymentExpired: true })).toEqual(["expired", false, false, null]);
  });

  it("a subscription ends at once; demo and unknown letters never open paid features", () => {
    expect(view({ appStatus: "S", days: 28 })).toEqual(["subscription", true, false, 28]);
    expect(view({ appStatus: "S", days: -1, paymentExpired: true })).toEqual(["expired", false, false, -1]);
    expect(view({ appStatus: "D" })).toEqual(["demo", false, false, null]);
    expect(view({ appStatus: "Q" })).toEqual(["unknown", false, false, null]);
    expect(view({ appStatus: null })).toEqual(["unknown", false, false, null]);
  });

  it("a letter without a successful app.info read is unknown; Bitrix24's PAYMENT_REQUIRED makes any snapshot expired", () => {
    expect(view({ appStatus: "P", days: 100, checkedAt: null })).toEqual(["unknown", false, false, 100]);
    expect(view({ appStatus: "P", days: 100, portalStatus: "blocked", statusReason: "PAYMENT_REQUIRED" })).toEqual(["expired", false, false, 100]);
    // Blocked for another reason (PORTAL_DELETED) says nothing about the licence.
    expect(view({ appStatus: "P", days: 100, portalStatus: "blocked", statusReason: "PORTAL_DELETED" })).toEqual(["paid", true, false, 100]);
    expect(licenceOfSnapshot(snap({ appStatus: "T", days: 5 }), "oauth_unavailable")).toMatchObject({ state: "trial", refreshFailed: "oauth_unavailable", checkedAt: at, family: "ent" });
  });
});

describe("parseAppInfo", () => {
  it("reads the documented shape, DAYS as number, string or null", () => {
    const doc = { ID: 5, CODE: "telefum24.kp10", VERSION: 4, STATUS: "F", INSTALLED: true, PAYMENT_EXPIRED: "N", DAYS: null, LANGUAGE_ID: "de", LICENSE: "de_ent10000", LICENSE_TYPE: "ent10000", LICENSE_FAMILY: "ent" };
    expect(parseAppInfo(doc)).toEqual({ code: "telefum24.kp10", appStatus: "F", paymentExpired: false, days: null, family: "ent" });
    expect(parseAppInfo({ ...doc, STATUS: "P", PAYMENT_EXPIRED: "Y", DAYS: "-3" })).toMatchObject({ appStatus: "P", paymentExpired: true, days: -3 });
    expect(parseAppInfo({ ...doc, STATUS: "T", DAYS: 7 })).toMatchObject({ days: 7 });
  });

  it("refuses what is not an app.info answer (nothing is stored then)", () => {
    expect(parseAppInfo(null)).toBeNull();
    expect(parseAppInfo({ SCOPE: ["crm"], LICENSE: "de_ent" })).toBeNull();
    expect(parseAppInfo({ STATUS: "paid" })).toBeNull();
    expect(parseAppInfo({ STATUS: "P", DAYS: "soon" })).toBeNull();
    expect(parseAppInfo({ STATUS: "P", CODE: "../../evil" })).toBeNull();
  });
});
