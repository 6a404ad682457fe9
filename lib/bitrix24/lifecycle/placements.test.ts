import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { B24Error } from "@/lib/errors";
import type { B24Client } from "../transport/client";
import type * as Placements from "./placements";

/**
 * The manifest's placements (bitrix24.app.ts: CRM_DEAL_DETAIL_TAB) made equal on the portal, and a frame POST's
 * PLACEMENT/PLACEMENT_OPTIONS turned into a page. Options are attacker-controlled: only what the schema accepts
 * reaches the page's query, never the raw JSON.
 */
let placements: typeof Placements;
const saved = { ...process.env };
const HANDLER = "https://app.example.com/api/b24/placement";

beforeAll(async () => {
  Object.assign(process.env, {
    NEXTAUTH_URL: "https://app.example.com",
    NEXTAUTH_SECRET: "x".repeat(40),
    B24_CLIENT_ID: "local.test",
    B24_CLIENT_SECRET: "client-secret-canary",
    DATABASE_URL: "file:./data/unused.db",
    TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
    LOG_LEVEL: "silent",
  });
  placements = await import("./placements");
});

afterAll(() => {
  process.env = saved;
});

type Call = [method: string, params: Record<string, unknown>];

/** A portal that holds `held` bindings and records every call; `bindError` makes placement.bind fail. */
function portal(held: Array<Record<string, unknown>>, bindError?: B24Error) {
  const calls: Call[] = [];
  const client = {
    call: async (method: string, params: Record<string, unknown> = {}) => {
      calls.push([method, params]);
      if (method === "placement.get") return { result: held };
      if (method === "placement.bind" && bindError) throw bindError;
      return { result: true };
    },
  } as unknown as B24Client;
  return { client, calls };
}

const TITLES = { en: { TITLE: "Template app" }, ru: { TITLE: "Приложение-шаблон" }, de: { TITLE: "Vorlagen-App" } };

describe("syncPlacements", () => {
  it("binds a missing placement with its English TITLE and every language in LANG_ALL", async () => {
    const { client, calls } = portal([]);
    expect(await placements.syncPlacements(client)).toEqual({ bound: ["CRM_DEAL_DETAIL_TAB"], kept: [], removed: [] });
    expect(calls).toEqual([
      ["placement.get", {}],
      ["placement.bind", { PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER, TITLE: "Template app", LANG_ALL: TITLES }],
    ]);
  });

  it("keeps a binding whose titles match and leaves other apps' or other handlers' bindings alone", async () => {
    const { client, calls } = portal([
      { placement: "CRM_DEAL_DETAIL_TAB", handler: HANDLER, title: "Template app", langAll: TITLES },
      { placement: "CRM_LEAD_DETAIL_TAB", handler: "https://app.example.com/other", title: "x", langAll: {} },
    ]);
    expect(await placements.syncPlacements(client)).toEqual({ bound: [], kept: ["CRM_DEAL_DETAIL_TAB"], removed: [] });
    expect(calls.map((c) => c[0])).toEqual(["placement.get"]);
  });

  it("re-binds a changed title and unbinds this handler's placements the manifest no longer declares", async () => {
    const { client, calls } = portal([
      { placement: "CRM_DEAL_DETAIL_TAB", handler: HANDLER, title: "Old", langAll: { en: { TITLE: "Old" } } },
      { placement: "CRM_CONTACT_DETAIL_TAB", handler: HANDLER, title: "Gone", langAll: [] },
    ]);
    expect(await placements.syncPlacements(client)).toEqual({ bound: ["CRM_DEAL_DETAIL_TAB"], kept: [], removed: ["CRM_CONTACT_DETAIL_TAB"] });
    expect(calls.map((c) => `${c[0]} ${String(c[1].PLACEMENT ?? "")}`)).toEqual([
      "placement.get ",
      "placement.unbind CRM_CONTACT_DETAIL_TAB",
      "placement.unbind CRM_DEAL_DETAIL_TAB",
      "placement.bind CRM_DEAL_DETAIL_TAB",
    ]);
  });

  it("counts Bitrix24's 'Handler already binded' as bound and throws any other refusal", async () => {
    const dup = new B24Error("bad_request", "Unable to set placement handler: Handler already binded", { upstream: "ERROR_CORE" });
    expect((await placements.syncPlacements(portal([], dup).client)).kept).toEqual(["CRM_DEAL_DETAIL_TAB"]);
    const denied = new B24Error("forbidden", "Access denied!", { upstream: "ACCESS_DENIED" });
    await expect(placements.syncPlacements(portal([], denied).client)).rejects.toMatchObject({ upstream: "ACCESS_DENIED" });
  });
});

describe("placementTarget", () => {
  it("sends a deal tab to its page with only the id the schema accepts", () => {
    const options = JSON.stringify({ ID: "8061", URI: "/crm/deal/details/8061/?IFRAME=Y", extra: "<script>" });
    expect(placements.placementTarget("CRM_DEAL_DETAIL_TAB", options)).toBe("/placements/deal-tab?id=8061");
    expect(placements.placementTarget("crm_deal_detail_tab", '{"ID":"5"}')).toBe("/placements/deal-tab?id=5");
  });

  it.each([
    ["no options", ""],
    ["an id that is not a number", '{"ID":"5 OR 1=1"}'],
    ["an id that is an object", '{"ID":{"a":1}}'],
    ["options that are not JSON", "{ID:5"],
    ["a JSON array", "[1]"],
  ])("refuses %s with a clear 400", (_name, raw) => {
    expect(() => placements.placementTarget("CRM_DEAL_DETAIL_TAB", raw)).toThrow(expect.objectContaining({ code: "bad_request" }));
  });

  it("refuses a placement the manifest does not declare with 404", () => {
    expect(() => placements.placementTarget("CRM_LEAD_DETAIL_TAB", '{"ID":"1"}')).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("opens the app URL on the dashboard, or on a manifest page an openApplication slider asked for", () => {
    expect(placements.placementTarget("DEFAULT", "")).toBe("/dashboard");
    expect(placements.placementTarget("DEFAULT", '{"page":"/settings"}')).toBe("/settings?frame=slider");
    expect(placements.placementTarget("DEFAULT", '{"IFRAME":"Y","IFRAME_TYPE":"SIDE_SLIDER"}')).toBe("/dashboard");
    for (const page of ["//evil.example/x", "https://evil.example", "/api/b24/app", "/settings?x=1"]) {
      expect(placements.placementTarget("DEFAULT", JSON.stringify({ page }))).toBe("/dashboard");
    }
  });
});
