import type { Placement } from "../../state";
import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { str } from "../params";
import { ok, register } from "../registry";
import { GLOBAL, PLACEMENTS, placementsIn, prepareOptions } from "./placement-codes";

/**
 * placement.bind/unbind/get/list as the core's Rest\Api\Placement runs them (extensions §1.3): keys are
 * case-insensitive, codes upper-cased, checks in the core's order. Thrown errors are RestExceptions, so 400
 * (the core default); the docs' "200" for some of them is matched only by EMPTY_ERROR_HANDLER_URL, which the core
 * returns as the method's result instead of throwing.
 */
type P = Record<string, unknown>;
type Lang = { TITLE: string; DESCRIPTION: string; GROUP_NAME: string };

const PORTAL_LANGUAGE = "en";
const fail = (code: string, description: string, extra: Record<string, unknown> = {}) => new RestError(400, code, description, extra);
const nullArg = (name: string) => fail("ERROR_ARGUMENT", `Argument '${name}' is null or empty`, { argument: name });

function upperKeys(p: P): P {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k.toUpperCase(), v]));
}

/** PHP loose truth of a request value: "", "0" and absence are false, any other string is true. */
function phpTrue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== "" && v !== "0" && v !== 0;
}

/** HandlerHelper::checkCallback: parse_url's host must contain a dot after its first character, scheme http/https (case-sensitive). */
function checkHandler(url: string): void {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url);
  const host = m?.[2] ?? "";
  if (!m || host.indexOf(".") <= 0) throw fail("ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  if (m[1] !== "http" && m[1] !== "https") throw fail("ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol");
}

/** LANG_ALL wins over TITLE/DESCRIPTION/GROUP_NAME; without it only the non-empty plain ones are kept, in the portal language. */
function langList(q: P): Record<string, Lang> {
  const all = q.LANG_ALL;
  const out: Record<string, Lang> = {};
  if (all && typeof all === "object" && Object.keys(all).length > 0) {
    for (const [lang, item] of Object.entries(all as Record<string, unknown>)) {
      const i = (item && typeof item === "object" ? item : {}) as P;
      out[lang] = { TITLE: (str(i.TITLE) ?? "").trim(), DESCRIPTION: (str(i.DESCRIPTION) ?? "").trim(), GROUP_NAME: (str(i.GROUP_NAME) ?? "").trim() };
    }
    return out;
  }
  const plain: Partial<Lang> = {};
  for (const k of ["TITLE", "DESCRIPTION", "GROUP_NAME"] as const) {
    const v = str(q[k])?.trim();
    if (v) plain[k] = v;
  }
  if (Object.keys(plain).length > 0) out[PORTAL_LANGUAGE] = { TITLE: "", DESCRIPTION: "", GROUP_NAME: "", ...plain };
  return out;
}

function bind(ctx: RestContext, p: P) {
  const q = upperKeys(p);
  const placement = (str(q.PLACEMENT) ?? "").toUpperCase();
  const handler = str(q.HANDLER) ?? "";
  if (placement === "") throw nullArg("PLACEMENT");
  if (placement === "DEFAULT") throw fail("ERROR_ARGUMENT", "Wrong value", { argument: "PLACEMENT" });
  if (handler === "") throw nullArg("HANDLER");
  checkHandler(handler);
  const info = placementsIn([...ctx.scope, GLOBAL]).get(placement);
  if (!info || info.private) throw fail("ERROR_PLACEMENT_NOT_FOUND", "Placement not found");
  const userId = Math.max(0, Math.trunc(Number(str(q.USER_ID) ?? 0)) || 0);
  if (userId > 0 && !info.userMode) throw fail("ERROR_PLACEMENT_USER_MODE", "User mode is not available.");
  const langs = langList(q);
  const rows = ctx.portal.placements;
  if (info.maxCount) {
    const count = rows.filter((r) => r.placement === placement && (!info.userMode || r.userId === 0 || r.userId === userId)).length;
    if (count >= info.maxCount) throw fail("ERROR_PLACEMENT_MAX_COUNT", `Placement max count: ${info.maxCount}`);
  }
  const options = prepareOptions(q.OPTIONS, info.options);
  if (placement === "PAGE_BACKGROUND_WORKER" && !options.errorHandlerUrl) {
    // The worker's register callback answers with an error array that the core passes on as the result (HTTP 200).
    return ok({ error: "EMPTY_ERROR_HANDLER_URL", error_description: "Error handler URL is empty" });
  }
  if (rows.some((r) => r.placement === placement && r.handler === handler)) {
    throw fail("ERROR_CORE", "Unable to set placement handler: Handler already binded");
  }
  const shown = langs[PORTAL_LANGUAGE] ?? Object.values(langs)[0];
  const row: Placement = {
    id: ctx.portal.nextPlacementId++, placement, handler, userId, options,
    title: shown?.TITLE ?? "", description: shown?.DESCRIPTION ?? "", groupName: shown?.GROUP_NAME ?? "",
  };
  if (Object.keys(langs).length > 0) row.langAll = langs;
  rows.push(row);
  return ok(true);
}

function unbind(ctx: RestContext, p: P) {
  const q = upperKeys(p);
  if (typeof q.PLACEMENT !== "string") {
    throw fail("ERROR_ARGUMENT", "The value of an argument 'PLACEMENT' must be of type string", { argument: "PLACEMENT" });
  }
  const placement = q.PLACEMENT.toUpperCase();
  if (placement === "") throw nullArg("PLACEMENT");
  const info = PLACEMENTS.get(placement);
  if (!info || info.private) return ok({ count: 0 });
  const handler = str(q.HANDLER) ?? "";
  const userId = "USER_ID" in q ? Math.trunc(Number(str(q.USER_ID) ?? 0)) || 0 : undefined;
  const hit = (r: Placement) => r.placement === placement && (!handler || r.handler === handler) && (userId === undefined || r.userId === userId);
  const removed = ctx.portal.placements.filter(hit).length;
  ctx.portal.placements = ctx.portal.placements.filter((r) => !hit(r));
  // The core counts each row once when found and once more when deleted.
  return ok({ count: removed * 2 });
}

function get(ctx: RestContext) {
  const rows = [...ctx.portal.placements].sort((a, b) => a.id - b.id).filter((r) => PLACEMENTS.has(r.placement) && !PLACEMENTS.get(r.placement)?.private);
  return ok(rows.map((r) => ({
    placement: r.placement,
    userId: r.userId,
    handler: r.handler,
    // PHP's empty array is [] in JSON.
    options: Object.keys(r.options).length > 0 ? r.options : [],
    title: r.title,
    description: r.description,
    langAll: r.langAll && Object.keys(r.langAll).length > 0 ? r.langAll : [],
  })));
}

function list(ctx: RestContext, p: P) {
  const q = upperKeys(p);
  let scopes: string[];
  if (q.SCOPE !== undefined) {
    const s = str(q.SCOPE) ?? "";
    scopes = [s === "" || s === "basic" ? GLOBAL : s];
  } else if (phpTrue(q.FULL)) {
    scopes = [...new Set([...PLACEMENTS.values()].map((i) => i.scope))];
  } else {
    scopes = [...ctx.scope, GLOBAL];
  }
  return ok([...placementsIn(scopes)].filter(([, i]) => !i.private).map(([code]) => code));
}

register(
  { name: "placement.bind", scope: ["placement"], appOnly: "WRONG_AUTH_TYPE", admin: "", run: bind },
  { name: "placement.unbind", scope: ["placement"], appOnly: "WRONG_AUTH_TYPE", admin: "", run: unbind },
  { name: "placement.get", scope: ["placement"], appOnly: "WRONG_AUTH_TYPE", admin: "", run: (ctx) => get(ctx) },
  { name: "placement.list", scope: ["placement"], appOnly: "WRONG_AUTH_TYPE", run: list },
);
