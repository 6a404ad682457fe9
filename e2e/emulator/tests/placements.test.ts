import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { callMethod } from "../rest/call";
import type { RestContext } from "../rest/auth";
import "../rest/handler";
import { EmulatorState } from "../state";
import type { TokenPair } from "../tokens";
import { APP, rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let user: Tokens;
let url: string;
const H = "http://127.0.0.1:9/tab";
beforeAll(async () => {
  emu = await start();
  url = emu.portals[0]!.url;
  admin = await signIn(emu, 0, 1);
  user = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

const bind = (params: Record<string, unknown>, token = admin.access_token) => rest(url, "placement.bind", token, params);
const unbindAll = async () => {
  for (const p of (await rest(url, "placement.get", admin.access_token)).body.result) {
    await rest(url, "placement.unbind", admin.access_token, { PLACEMENT: p.placement });
  }
};

describe("placement.bind", () => {
  it("binds with case-insensitive keys and upper-cases the code; get shows the documented row", async () => {
    await unbindAll();
    expect((await bind({ placement: "crm_deal_detail_tab", handler: H, title: " Deal tab " })).body.result).toBe(true);
    const got = await rest(url, "placement.get", admin.access_token);
    expect(got.body.result).toEqual([
      { placement: "CRM_DEAL_DETAIL_TAB", userId: 0, handler: H, options: [], title: "Deal tab", description: "", langAll: { en: { TITLE: "Deal tab", DESCRIPTION: "", GROUP_NAME: "" } } },
    ]);
  });

  it("LANG_ALL wins over plain TITLE/DESCRIPTION/GROUP_NAME", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TOOLBAR", HANDLER: H, TITLE: "ignored", GROUP_NAME: "ignored", LANG_ALL: { en: { TITLE: "Tools", GROUP_NAME: "Docs" }, de: { TITLE: "Werkzeuge" } } });
    const [row] = (await rest(url, "placement.get", admin.access_token)).body.result;
    expect(row.title).toBe("Tools");
    expect(row.langAll).toEqual({ en: { TITLE: "Tools", DESCRIPTION: "", GROUP_NAME: "Docs" }, de: { TITLE: "Werkzeuge", DESCRIPTION: "", GROUP_NAME: "" } });
  });

  it("without any title langAll is [] and title empty", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "LEFT_MENU", HANDLER: H });
    const [row] = (await rest(url, "placement.get", admin.access_token)).body.result;
    expect(row).toMatchObject({ title: "", description: "", langAll: [], options: [] });
  });

  it("refuses a duplicate (same placement and handler) with 400 ERROR_CORE; another handler is fine", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H });
    const dup = await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error: "ERROR_CORE", error_description: "Unable to set placement handler: Handler already binded" });
    expect((await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: `${H}?b` })).body.result).toBe(true);
  });

  it("checks arguments and the handler URL in the core's order", async () => {
    expect((await bind({ HANDLER: H })).body).toEqual({ error: "ERROR_ARGUMENT", error_description: "Argument 'PLACEMENT' is null or empty", argument: "PLACEMENT" });
    expect((await bind({ PLACEMENT: "DEFAULT", HANDLER: H })).body).toEqual({ error: "ERROR_ARGUMENT", error_description: "Wrong value", argument: "PLACEMENT" });
    expect((await bind({ PLACEMENT: "LEFT_MENU" })).body.argument).toBe("HANDLER");
    for (const bad of ["http://localhost:3000/x", "/relative", "not a url", "http://.example/x"]) {
      const r = await bind({ PLACEMENT: "LEFT_MENU", HANDLER: bad });
      expect([r.status, r.body.error], bad).toEqual([400, "ERROR_WRONG_HANDLER_URL"]);
    }
    const ftp = await bind({ PLACEMENT: "LEFT_MENU", HANDLER: "ftp://files.example.com/x" });
    expect(ftp.body).toEqual({ error: "ERROR_UNSUPPORTED_PROTOCOL", error_description: "Unsupported handler protocol" });
    // The URL is checked before the code, so a bad URL on an unknown code still reports the URL.
    expect((await bind({ PLACEMENT: "NOPE", HANDLER: "http://localhost/x" })).body.error).toBe("ERROR_WRONG_HANDLER_URL");
    expect((await bind({ PLACEMENT: "LEFT_MENU", HANDLER: "https://app.example.com/x" })).body.result).toBe(true);
  });

  it("unknown codes and codes of scopes the app lacks are ERROR_PLACEMENT_NOT_FOUND", async () => {
    for (const code of ["NOPE", "TASK_VIEW_TAB", "CALL_CARD", "USERFIELD_TYPE", "CRM_DYNAMIC_183_DETAIL_TAB"]) {
      const r = await bind({ PLACEMENT: code, HANDLER: H });
      expect([r.status, r.body], code).toEqual([400, { error: "ERROR_PLACEMENT_NOT_FOUND", error_description: "Placement not found" }]);
    }
    const noCrm = await start({ app: { scope: "user,placement" } as never });
    try {
      const t = await signIn(noCrm, 0, 1);
      const r = await rest(noCrm.portals[0]!.url, "placement.bind", t.access_token, { PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H });
      expect(r.body.error).toBe("ERROR_PLACEMENT_NOT_FOUND");
      expect((await rest(noCrm.portals[0]!.url, "placement.bind", t.access_token, { PLACEMENT: "USER_PROFILE_MENU", HANDLER: H })).body.result).toBe(true);
    } finally {
      await noCrm.stop();
    }
  });

  it("REST_APP_URI and PAGE_BACKGROUND_WORKER take one handler; USER_ID only on the worker", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "REST_APP_URI", HANDLER: H });
    expect((await bind({ PLACEMENT: "REST_APP_URI", HANDLER: `${H}?2` })).body).toEqual({ error: "ERROR_PLACEMENT_MAX_COUNT", error_description: "Placement max count: 1" });
    expect((await bind({ PLACEMENT: "LEFT_MENU", HANDLER: H, USER_ID: 2 })).body).toEqual({ error: "ERROR_PLACEMENT_USER_MODE", error_description: "User mode is not available." });
    const noUrl = await bind({ PLACEMENT: "PAGE_BACKGROUND_WORKER", HANDLER: H, USER_ID: 2 });
    expect([noUrl.status, noUrl.body.result.error]).toEqual([200, "EMPTY_ERROR_HANDLER_URL"]);
    const opts = { errorHandlerUrl: "http://127.0.0.1:9/err", junk: "x" };
    expect((await bind({ PLACEMENT: "PAGE_BACKGROUND_WORKER", HANDLER: H, USER_ID: 2, OPTIONS: opts })).body.result).toBe(true);
    expect((await bind({ PLACEMENT: "PAGE_BACKGROUND_WORKER", HANDLER: `${H}?3`, USER_ID: 2, OPTIONS: opts })).body.error).toBe("ERROR_PLACEMENT_MAX_COUNT");
    const worker = (await rest(url, "placement.get", admin.access_token)).body.result.find((r: { placement: string }) => r.placement === "PAGE_BACKGROUND_WORKER");
    expect(worker).toMatchObject({ userId: 2, options: { errorHandlerUrl: "http://127.0.0.1:9/err" } });
  });

  it("OPTIONS keeps only the placement's whitelist, typed", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "IM_SIDEBAR", HANDLER: H, OPTIONS: { iconName: "fa-bolt", width: "250", evil: "x" } });
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H, OPTIONS: { anything: "x" } });
    const rows = (await rest(url, "placement.get", admin.access_token)).body.result;
    expect(rows.map((r: { options: unknown }) => r.options)).toEqual([{ iconName: "fa-bolt", width: 250 }, []]);
  });
});

describe("placement.unbind / get / list", () => {
  it("unbind counts 2 per removed row; HANDLER narrows, no HANDLER removes all of the code", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H });
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: `${H}?b` });
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: `${H}?c` });
    expect((await rest(url, "placement.unbind", admin.access_token, { PLACEMENT: "crm_deal_detail_tab", HANDLER: H })).body.result).toEqual({ count: 2 });
    expect((await rest(url, "placement.unbind", admin.access_token, { PLACEMENT: "CRM_DEAL_DETAIL_TAB" })).body.result).toEqual({ count: 4 });
    expect((await rest(url, "placement.unbind", admin.access_token, { PLACEMENT: "CRM_DEAL_DETAIL_TAB" })).body.result).toEqual({ count: 0 });
  });

  it("unbind argument errors", async () => {
    const missing = await rest(url, "placement.unbind", admin.access_token, {});
    expect([missing.status, missing.body]).toEqual([400, { error: "ERROR_ARGUMENT", error_description: "The value of an argument 'PLACEMENT' must be of type string", argument: "PLACEMENT" }]);
    expect((await rest(url, "placement.unbind", admin.access_token, { PLACEMENT: "" })).body.error_description).toBe("Argument 'PLACEMENT' is null or empty");
  });

  it("get is ordered by ID", async () => {
    await unbindAll();
    await bind({ PLACEMENT: "LEFT_MENU", HANDLER: H });
    await bind({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: H });
    await bind({ PLACEMENT: "CRM_CONTACT_DETAIL_TAB", HANDLER: H });
    expect((await rest(url, "placement.get", admin.access_token)).body.result.map((r: { placement: string }) => r.placement)).toEqual(["LEFT_MENU", "CRM_DEAL_DETAIL_TAB", "CRM_CONTACT_DETAIL_TAB"]);
  });

  it("bind/unbind/get are admin-only with a bare 'Access denied!'; list is for everyone", async () => {
    for (const m of ["placement.bind", "placement.unbind", "placement.get"]) {
      const r = await rest(url, m, user.access_token, { PLACEMENT: "LEFT_MENU", HANDLER: H });
      expect([r.status, r.body], m).toEqual([403, { error: "ACCESS_DENIED", error_description: "Access denied!" }]);
    }
    const list = await rest(url, "placement.list", user.access_token);
    expect(list.status).toBe(200);
    expect(list.body.result).toContain("CRM_DEAL_DETAIL_TAB");
    expect(list.body.result).toContain("LEFT_MENU");
    expect(list.body.result).not.toContain("TASK_VIEW_TAB");
    expect(list.body.result).not.toContain("USERFIELD_TYPE");
  });

  it("list honours SCOPE and FULL", async () => {
    const task = (await rest(url, "placement.list", admin.access_token, { SCOPE: "task" })).body.result;
    expect(task).toContain("TASK_VIEW_TAB");
    expect(task).not.toContain("LEFT_MENU");
    const full = (await rest(url, "placement.list", admin.access_token, { full: true })).body.result;
    expect(full).toEqual(expect.arrayContaining(["TASK_VIEW_TAB", "CALL_CARD", "CRM_DEAL_DETAIL_TAB", "LEFT_MENU"]));
    expect(full).not.toContain("SETTING_CONNECTOR");
  });

  it("a non-OAuth (webhook) context gets 403 WRONG_AUTH_TYPE", async () => {
    // The emulator issues no webhooks, so the webhook context is built by hand around the shared method dispatcher.
    const state = new EmulatorState({ app: { ...APP } });
    const portal = state.createPortal({});
    const ctx: RestContext = { state, portal, user: portal.users[0]!, pair: {} as TokenPair, scope: new Set(state.app.scope), startMs: 0, authType: "apauth" };
    for (const m of ["placement.bind", "placement.unbind", "placement.get", "placement.list"]) {
      const r = await callMethod(ctx, m, { PLACEMENT: "LEFT_MENU", HANDLER: H });
      expect(r.ok ? null : [r.error.status, r.error.code, r.error.description], m).toEqual([403, "WRONG_AUTH_TYPE", "Current authorization type is denied for this method Application context required"]);
    }
    const opt = await callMethod(ctx, "app.option.get", {});
    expect(opt.ok ? null : opt.error.description).toBe("Access denied! Application context required");
  });
});
