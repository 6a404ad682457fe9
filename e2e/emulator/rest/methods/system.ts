import { isoSec } from "../../clock";
import { appInfoLicence, licenceOf } from "../../licence";
import type { SeedUser } from "../../types";
import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { param, str, truthy } from "../params";
import { allMethods, findMethod, ok, PAGE_SIZE, register, type MethodResult } from "../registry";
import { buildFilter, buildOrder } from "./filter";

const USER_SCOPES = ["user", "user_brief", "user_basic"];
export const ALL_SCOPES = [
  "ai_admin", "biconnector", "bizproc", "booking", "calendar", "call", "cashbox", "catalog", "contact_center", "crm",
  "documentgenerator", "delivery", "department", "disk", "entity", "humanresources", "im", "imbot", "imconnector",
  "imopenlines", "intranet", "landing", "lists", "log", "mailservice", "main", "messageservice", "mobile", "pay_system",
  "placement", "pull", "rpa", "sale", "salescenter", "sign.b2e", "socialnetwork", "task", "telephony", "timeman", "user",
  "user_brief", "user_basic", "user.userfield", "userfieldconfig", "userconsent", "vote",
];
const USER_FIELDS = ["ID", "ACTIVE", "NAME", "LAST_NAME", "EMAIL", "IS_ADMIN"];

function userRow(u: SeedUser): Record<string, unknown> {
  return {
    ID: String(u.id), ACTIVE: true, NAME: u.name, LAST_NAME: u.lastName, SECOND_NAME: "", EMAIL: u.email,
    PERSONAL_GENDER: "", PERSONAL_PHOTO: "", TIME_ZONE: "", TIME_ZONE_OFFSET: "0", UF_DEPARTMENT: [1],
    USER_TYPE: "employee", IS_ONLINE: "N",
  };
}

function userGet(ctx: RestContext, params: Record<string, unknown>): MethodResult {
  const filter = param(params, "filter") ?? Object.fromEntries(
    Object.entries(params).filter(([k]) => USER_FIELDS.includes(k.replace(/^\W+/, "").toUpperCase())),
  );
  const rows = ctx.portal.users.map((u) => ({ ...userRow(u), IS_ADMIN: u.admin ? "Y" : "N", ACTIVE: "Y" }) as Record<string, string>);
  const test = buildFilter(filter, USER_FIELDS);
  const start = Number(str(param(params, "start")) ?? 0) || 0;
  const matched = rows.filter(test).sort(buildOrder(undefined, USER_FIELDS));
  const page = matched.slice(Math.max(start, 0), Math.max(start, 0) + PAGE_SIZE).map((r) => {
    const u = ctx.portal.users.find((x) => String(x.id) === r.ID) as SeedUser;
    return userRow(u);
  });
  if (start < 0) return { result: page };
  const out: MethodResult = { result: page, total: matched.length };
  if (start + page.length < matched.length) out.next = start + page.length;
  return out;
}

/** STATUS, PAYMENT_EXPIRED, DAYS and LICENSE* come from the portal's licence (e2e/emulator/licence.ts). */
function portalAppInfo(ctx: RestContext): Record<string, unknown> {
  const { STATUS, PAYMENT_EXPIRED, DAYS, ...license } = appInfoLicence(ctx.state, ctx.portal);
  return { ID: 1, CODE: ctx.state.app.clientId, VERSION: 1, STATUS, INSTALLED: ctx.portal.installFinished, PAYMENT_EXPIRED, DAYS, LANGUAGE_ID: ctx.portal.language, ...license };
}

/** The OAuth server's app.info (https://apidocs.bitrix24.com/settings/oauth/simple-way.html): what an app uses to check that a frame/event token is genuine. */
export function oauthAppInfo(ctx: RestContext): Record<string, unknown> {
  const s = ctx.state;
  return {
    client_id: s.oauthServerOf(ctx.portal).clientId,
    scope: s.app.scope.join(","),
    expires: isoSec(ctx.pair.accessExpiresMs),
    user_id: String(ctx.user.id),
    install: {
      installed: ctx.portal.installFinished,
      version: "1",
      status: licenceOf(s, ctx.portal).status,
      scope: s.app.scope.join(","),
      domain: ctx.portal.host,
      uri: ctx.portal.url,
      client_endpoint: s.clientEndpoint(ctx.portal),
      member_id: ctx.portal.memberId,
      member_type: "user",
    },
  };
}

function available(ctx: RestContext, scope: string[]): boolean {
  return scope.length === 0 || scope.some((s) => ctx.scope.has(s));
}

register(
  {
    name: "profile",
    scope: [],
    run: (ctx) => ok({
      ID: String(ctx.user.id), ADMIN: ctx.user.admin, NAME: ctx.user.name, LAST_NAME: ctx.user.lastName,
      PERSONAL_GENDER: "", PERSONAL_PHOTO: "", TIME_ZONE: "", TIME_ZONE_OFFSET: 0,
    }),
  },
  { name: "user.current", scope: USER_SCOPES, run: (ctx) => ok(userRow(ctx.user)) },
  { name: "user.get", scope: USER_SCOPES, run: userGet },
  { name: "user.admin", scope: [], run: (ctx) => ok(ctx.user.admin) },
  { name: "app.info", scope: [], run: (ctx) => ok(portalAppInfo(ctx)) },
  {
    name: "scope",
    scope: [],
    run: (ctx, p) => ok(truthy(param(p, "full")) ? ALL_SCOPES : [...ctx.scope]),
  },
  {
    name: "methods",
    scope: [],
    run: (ctx, p) => {
      const wanted = str(param(p, "scope"));
      const full = truthy(param(p, "full"));
      const names = allMethods()
        .filter((m) => (wanted ? m.scope.includes(wanted) : full || available(ctx, m.scope)))
        .map((m) => m.name);
      return ok(names);
    },
  },
  {
    name: "method.get",
    scope: [],
    run: (ctx, p) => {
      const m = findMethod(str(param(p, "name")) ?? "");
      return ok({ isExisting: !!m, isAvailable: !!m && available(ctx, m.scope) });
    },
  },
  { name: "server.time", scope: [], run: (ctx) => ok(isoSec(ctx.state.clock.nowMs())) },
  {
    name: "feature.get",
    scope: [],
    run: (ctx, p) => {
      const code = str(param(p, "CODE"));
      if (!code) throw new RestError(400, "CODE_EMPTY", "Feature code is empty");
      // Only rest_offline_extended is switchable (EmulatorOptions.offlineExtended); everything else is enabled.
      return ok({ value: code === "rest_offline_extended" && !ctx.portal.offlineExtended ? "N" : "Y" });
    },
  },
);
