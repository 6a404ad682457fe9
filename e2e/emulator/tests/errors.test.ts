import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, http, rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let user: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start({ portals: [{}, {}] });
  url = emu.portals[0]!.url;
  admin = await signIn(emu, 0, 1);
  user = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

describe("REST errors (https://apidocs.bitrix24.com/settings/how-to-call-rest-api/general-principles.html) with the corrected statuses", () => {
  it("NO_AUTH_FOUND without a token", async () => {
    const res = await http(`${url}/rest/profile`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "NO_AUTH_FOUND", error_description: "Wrong authorization data" });
  });

  it("invalid_token for garbage", async () => {
    const res = await rest(url, "profile", "garbage");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid_token", error_description: "Unable to get application by token" });
  });

  it("expired_token after expire-tokens", async () => {
    const t = await signIn(emu, 1);
    await emu.control.expireTokens();
    const res = await rest(emu.portals[1]!.url, "profile", t.access_token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("expired_token");
    admin = await signIn(emu, 0, 1);
    user = await signIn(emu, 0, 2);
  });

  it("insufficient_scope is 401", async () => {
    const e = await start({ app: { ...APP, scope: "user" } });
    try {
      const t = await signIn(e);
      const res = await rest(e.portals[0]!.url, "crm.deal.list", t.access_token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: "insufficient_scope",
        error_description: "The request requires higher privileges than provided by the access token",
      });
    } finally {
      await e.stop();
    }
  });

  it("ERROR_METHOD_NOT_FOUND is 404", async () => {
    const res = await rest(url, "no.such.method", admin.access_token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "ERROR_METHOD_NOT_FOUND", error_description: "Method not found!" });
  });

  it("ACCESS_DENIED (403) for non-admins on admin methods", async () => {
    for (const [method, params] of [
      ["app.option.set", { options: { a: 1 } }],
      ["event.offline.get", {}],
      ["placement.bind", { PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: "http://127.0.0.1:9/p" }],
    ] as const) {
      const res = await rest(url, method, user.access_token, params);
      expect(res.status, method).toBe(403);
      expect(res.body.error, method).toBe("ACCESS_DENIED");
    }
    const offline = await rest(url, "event.bind", user.access_token, { event: "ONCRMDEALADD", event_type: "offline" });
    expect(offline.body).toEqual({
      error: "ACCESS_DENIED",
      error_description: "Access denied! Offline events binding requires administrator access rights",
    });
  });

  it("duplicate event.bind → 400 ERROR_CORE Handler already binded", async () => {
    const params = { event: "ONCRMDEALADD", handler: "http://127.0.0.1:9/events" };
    expect((await rest(url, "event.bind", admin.access_token, params)).body.result).toBe(true);
    const dup = await rest(url, "event.bind", admin.access_token, params);
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error: "ERROR_CORE", error_description: "Handler already binded" });
    const unknown = await rest(url, "event.bind", admin.access_token, { event: "ONNOTHING", handler: params.handler });
    expect(unknown.body.error).toBe("ERROR_EVENT_NOT_FOUND");
  });

  it("PAYMENT_REQUIRED while the subscription is over", async () => {
    const id = emu.portals[0]!.memberId;
    await emu.control.setPortalState(id, { paymentRequired: true });
    const res = await rest(url, "profile", admin.access_token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("PAYMENT_REQUIRED");
    const info = await rest(url, "app.info", admin.access_token);
    expect(info.body.error).toBe("PAYMENT_REQUIRED");
    await emu.control.setPortalState(id, { paymentRequired: false });
    expect((await rest(url, "profile", admin.access_token)).status).toBe(200);
  });

  it("PORTAL_DELETED is 403", async () => {
    const id = emu.portals[0]!.memberId;
    await emu.control.setPortalState(id, { deleted: true });
    const res = await rest(url, "profile", admin.access_token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "PORTAL_DELETED", error_description: "Portal was deleted" });
    await emu.control.setPortalState(id, { deleted: false });
  });
});
