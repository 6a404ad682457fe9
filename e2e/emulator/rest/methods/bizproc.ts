import type { Robot, RobotProperty, RobotRun } from "../../robots/model";
import { extractToken } from "../../robots/model";
import { expireRun } from "../../robots/run";
import type { RestContext } from "../auth";
import { ERR, RestError } from "../envelope";
import { ok, register } from "../registry";

/**
 * Automation robots (extensions §4; https://apidocs.bitrix24.com/api-reference/bizproc/bizproc-robot/index.html), checked in the
 * order of the core's Bitrix\Bizproc\RestService (addActivityInternal / updateActivityInternal / deleteActivityInternal /
 * getActivityListInternal / sendEvent). RestExceptions are 400, AccessExceptions 403 ACCESS_DENIED.
 */
type P = Record<string, unknown>;

const VALIDATION = "ERROR_ACTIVITY_VALIDATION_FAILURE";
const invalid = (description: string) => new RestError(400, VALIDATION, description);
const notFound = () => new RestError(400, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!");

function isObj(v: unknown): v is P {
  return v !== null && typeof v === "object";
}

/** PHP `empty()`: missing, null, false, 0, "0", "" and empty arrays. */
function phpEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "" || v === "0") return true;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/** PHP `(int)` of a request value. */
function phpInt(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return 0;
  const m = /^\s*([+-]?\d+)/.exec(v);
  return m ? Number(m[1]) : 0;
}

/**
 * The core's prepareActivityData: keys upper-cased at every level except the direct children of PROPERTIES,
 * RETURN_PROPERTIES and OPTIONS (property codes and option values keep their case).
 */
function prepare(data: unknown, keepKeys = false): unknown {
  if (!isObj(data)) return data;
  if (Array.isArray(data)) return data.map((v) => prepare(v, false));
  const out: P = {};
  for (const [k, v] of Object.entries(data)) {
    const key = keepKeys ? k : k.toUpperCase();
    out[key] = prepare(v, !keepKeys && (key === "PROPERTIES" || key === "RETURN_PROPERTIES" || key === "OPTIONS"));
  }
  return out;
}

function validateCode(code: unknown): string {
  if (phpEmpty(code)) throw invalid("Empty activity code!");
  if (typeof code !== "string" || !/^[a-z0-9.\-_]+$/i.test(code)) throw invalid("Wrong activity code!");
  return code;
}

/** Rest\HandlerHelper::checkCallback, as for placement.bind: a dot in the host after its first character, scheme http or https. */
function validateHandler(url: unknown): string {
  const s = typeof url === "string" ? url : "";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(s);
  const host = m?.[2] ?? "";
  if (!m || host.indexOf(".") <= 0) throw new RestError(400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  if (m[1] !== "http" && m[1] !== "https") throw new RestError(400, "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol");
  return s;
}

/** Keys start with a letter (a-z, A-Z, 0-9, _); every property needs a NAME. Messages as the core writes them. */
function validateProperties(props: unknown): Record<string, RobotProperty> {
  if (!isObj(props)) throw invalid("Wrong properties array!");
  for (const [key, prop] of Object.entries(props)) {
    if (!/^[a-z][a-z0-9_]*$/i.test(key)) throw invalid(`Wrong property key (${key})!`);
    if (!isObj(prop) || phpEmpty((prop as P).NAME)) throw invalid(`Empty property NAME (${key})!`);
  }
  return Object.fromEntries(Object.entries(props)) as Record<string, RobotProperty>;
}

/** `[module, object, type]`, three non-empty strings (what CBPDocumentService accepts). */
function validateDocumentType(v: unknown): unknown[] {
  const list = isObj(v) ? Object.values(v) : [];
  if (list.length !== 3 || list.some((x) => typeof x !== "string" || x === "")) throw invalid("Wrong activity DOCUMENT_TYPE!");
  return list;
}

function validateFilter(v: unknown): P {
  if (!isObj(v)) throw invalid("Wrong activity FILTER!");
  return v;
}

function findRobot(ctx: RestContext, code: string): Robot | undefined {
  return ctx.portal.robots.find((r) => r.code === code);
}

function add(ctx: RestContext, raw: P) {
  const q = prepare(raw) as P;
  if (phpEmpty(q)) throw invalid("Empty data!");
  const code = validateCode(q.CODE);
  const handler = validateHandler(q.HANDLER);
  if (phpEmpty(q.NAME)) throw invalid("Empty activity NAME!");
  const properties = q.PROPERTIES !== undefined && q.PROPERTIES !== null ? validateProperties(q.PROPERTIES) : {};
  const returnProperties = q.RETURN_PROPERTIES !== undefined && q.RETURN_PROPERTIES !== null ? validateProperties(q.RETURN_PROPERTIES) : {};
  const documentType = q.DOCUMENT_TYPE !== undefined && q.DOCUMENT_TYPE !== null ? validateDocumentType(q.DOCUMENT_TYPE) : null;
  const filter = q.FILTER !== undefined && q.FILTER !== null ? validateFilter(q.FILTER) : null;
  // Codes are unique per application (md5(APP_ID@CODE)), shared with bizproc.activity.* codes.
  if (findRobot(ctx, code)) throw new RestError(400, "ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!");
  const usePlacement = q.USE_PLACEMENT === "Y" ? "Y" : "N";
  const placementHandler = usePlacement === "Y" ? validateHandler(q.PLACEMENT_HANDLER) : null;
  ctx.portal.robots.push({
    code, handler, authUserId: phpInt(q.AUTH_USER_ID), useSubscription: typeof q.USE_SUBSCRIPTION === "string" ? q.USE_SUBSCRIPTION : "",
    name: q.NAME, description: q.DESCRIPTION ?? null, properties, returnProperties, documentType, filter, usePlacement,
    placementHandler, addedBy: ctx.user.id,
  });
  return ok(true);
}

function update(ctx: RestContext, raw: P) {
  const q = prepare(raw) as P;
  const code = validateCode(q.CODE);
  const robot = findRobot(ctx, code);
  if (!robot) throw notFound();
  const f = isObj(q.FIELDS) && !phpEmpty(q.FIELDS) ? q.FIELDS : null;
  if (!f) throw invalid("No fields to update");
  const set: Partial<Robot> = {};
  const has = (k: string) => f[k] !== undefined && f[k] !== null;
  if (has("HANDLER")) set.handler = validateHandler(f.HANDLER);
  if (has("AUTH_USER_ID")) set.authUserId = phpInt(f.AUTH_USER_ID);
  if (has("USE_SUBSCRIPTION")) set.useSubscription = String(f.USE_SUBSCRIPTION);
  if (has("USE_PLACEMENT")) set.usePlacement = f.USE_PLACEMENT === "Y" ? "Y" : "N";
  if (!phpEmpty(f.NAME)) set.name = f.NAME;
  if (has("DESCRIPTION")) set.description = f.DESCRIPTION;
  if (has("PROPERTIES")) set.properties = validateProperties(f.PROPERTIES);
  if (has("RETURN_PROPERTIES")) set.returnProperties = validateProperties(f.RETURN_PROPERTIES);
  if (has("DOCUMENT_TYPE")) set.documentType = phpEmpty(f.DOCUMENT_TYPE) ? null : validateDocumentType(f.DOCUMENT_TYPE);
  if (has("FILTER")) set.filter = phpEmpty(f.FILTER) ? null : validateFilter(f.FILTER);
  if (Object.keys(set).length === 0) throw invalid("No fields to update");
  if (has("PLACEMENT_HANDLER")) set.placementHandler = validateHandler(f.PLACEMENT_HANDLER);
  if (set.usePlacement === "N") set.placementHandler = null;
  Object.assign(robot, set);
  return ok(true);
}

function remove(ctx: RestContext, raw: P) {
  const q = prepare(raw) as P;
  const code = validateCode(q.CODE);
  const i = ctx.portal.robots.findIndex((r) => r.code === code);
  if (i < 0) throw notFound();
  ctx.portal.robots.splice(i, 1);
  return ok(true);
}

/**
 * The run an EVENT_TOKEN belongs to, if it still waits. A forged token is an AccessException in the core; a token
 * of a finished, timed-out or unknown run is "invalid or expired" to the docs, which answer ACCESS_DENIED too.
 */
function waitingRun(ctx: RestContext, token: unknown): RobotRun {
  if (!extractToken(token)) throw ERR.accessDenied();
  const run = ctx.portal.robotRuns.find((r) => r.eventToken === token);
  if (!run) throw ERR.accessDenied();
  expireRun(run, ctx.state.clock.nowMs());
  if (run.status !== "waiting") throw ERR.accessDenied();
  return run;
}

/** RETURN_VALUES keys are matched case-insensitively against RETURN_PROPERTIES; others are dropped (CBPRestActivity::onExternalEvent). */
function acceptedReturnValues(run: RobotRun, values: unknown): Record<string, unknown> {
  const byUpper = new Map(run.returnKeys.map((k) => [k.toUpperCase(), k]));
  const out: Record<string, unknown> = {};
  if (phpEmpty(values)) return out;
  const entries = isObj(values) ? Object.entries(values) : [["0", values] as [string, unknown]];
  for (const [k, v] of entries) {
    const name = byUpper.get(k.toUpperCase());
    if (name !== undefined) out[name] = v;
  }
  return out;
}

function upperTop(p: P): P {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k.toUpperCase(), v]));
}

function sendEvent(ctx: RestContext, raw: P) {
  const q = upperTop(raw);
  const run = waitingRun(ctx, q.EVENT_TOKEN);
  run.returnValues = acceptedReturnValues(run, q.RETURN_VALUES);
  run.logMessage = typeof q.LOG_MESSAGE === "string" ? q.LOG_MESSAGE : "";
  run.sentAt = ctx.state.clock.nowMs();
  run.status = "done";
  return ok(true);
}

function activityLog(ctx: RestContext, raw: P) {
  const q = upperTop(raw);
  if (!extractToken(q.EVENT_TOKEN)) throw ERR.accessDenied();
  if (phpEmpty(q.LOG_MESSAGE)) throw new RestError(400, "ERROR_EMPTY_LOG_MESSAGE", "Empty log message!");
  const run = waitingRun(ctx, q.EVENT_TOKEN);
  run.log.push(String(q.LOG_MESSAGE));
  return ok(true);
}

const SCOPE = ["bizproc"];

register(
  { name: "bizproc.robot.add", scope: SCOPE, appOnly: "ACCESS_DENIED", admin: "", run: add },
  { name: "bizproc.robot.update", scope: SCOPE, appOnly: "ACCESS_DENIED", admin: "", run: update },
  { name: "bizproc.robot.delete", scope: SCOPE, appOnly: "ACCESS_DENIED", admin: "", run: remove },
  { name: "bizproc.robot.list", scope: SCOPE, appOnly: "ACCESS_DENIED", admin: "", run: (ctx) => ok(ctx.portal.robots.map((r) => r.code)) },
  // Any user holding a valid token may answer (docs: "who can call: any user").
  { name: "bizproc.event.send", scope: SCOPE, run: sendEvent },
  { name: "bizproc.activity.log", scope: SCOPE, run: activityLog },
);
