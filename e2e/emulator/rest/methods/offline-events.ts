import { isoSec } from "../../clock";
import { randomHex, type OfflineEvent } from "../../state";
import { connectorOf, type RestContext } from "../auth";
import { ERR, RestError } from "../envelope";
import { param, str } from "../params";
import { ok, PAGE_SIZE, register, type MethodResult } from "../registry";

/**
 * event.offline.get/clear/error/list as core's Bitrix\Rest\Api\Event and EventOfflineTable run them
 * (https://apidocs.bitrix24.com/api-reference/events/offline-events.html). Every call sees only the rows of its own
 * `auth_connector` ("" when none). Admin only, app context only.
 */
type P = Record<string, unknown>;
type Test = (o: OfflineEvent) => boolean;
type Order = (a: OfflineEvent, b: OfflineEvent) => number;

const GET_FIELDS = ["ID", "TIMESTAMP_X", "EVENT_NAME", "MESSAGE_ID"];
const LIST_FIELDS = [...GET_FIELDS, "PROCESS_ID", "ERROR"];
/** IRestService::sanitizeFilter's operations; `!` and the like are refused. */
const FILTER_OPS = ["", "=", ">", "<", ">=", "<=", "@", "%"];
const NUMERIC = new Set(["ID", "TIMESTAMP_X", "ERROR"]);

/** PHP intval: leading digits of a string, 0 when there are none. */
export function phpInt(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (Array.isArray(v)) return v.length ? 1 : 0;
  const m = /^\s*[+-]?\d+/.exec(str(v) ?? "");
  return m ? Number(m[0]) : 0;
}

const argError = (message: string, argument: string) => new RestError(400, "ERROR_ARGUMENT", message, { argument });
const plainError = (message: string) => new RestError(400, "ERROR_ARGUMENT", message);
/** Core LicenseException: an AccessException with its own code and message. */
const wrongLicense = (what: string) => new RestError(403, "WRONG_LICENSE", `This feature is not enabled for the current license: ${what}`);

const isList = (v: unknown): v is unknown[] | P => !!v && typeof v === "object";
const listValues = (v: unknown[] | P): unknown[] => (Array.isArray(v) ? v : Object.values(v));

function field(o: OfflineEvent, name: string): string | number {
  switch (name) {
    case "ID": return o.id;
    case "TIMESTAMP_X": return Math.floor(o.timestamp / 1000);
    case "EVENT_NAME": return o.event;
    case "MESSAGE_ID": return o.messageId;
    case "PROCESS_ID": return o.processId;
    default: return o.error ? 1 : 0;
  }
}

/** Filter values as the column compares them: TIMESTAMP_X is given as ISO 8601, strings compare case-insensitively. */
function operand(name: string, v: unknown): string | number {
  if (name === "TIMESTAMP_X") return Math.floor(Date.parse(str(v) ?? "") / 1000);
  return NUMERIC.has(name) ? Number(str(v)) : (str(v) ?? "").toLowerCase();
}

function compare(a: string | number, b: string | number): number {
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}

function condition(op: string, name: string, value: unknown): Test {
  const values = (isList(value) ? listValues(value) : [value]).map((v) => operand(name, v));
  const first = values[0] ?? "";
  const get = (o: OfflineEvent) => (typeof field(o, name) === "string" ? String(field(o, name)).toLowerCase() : field(o, name));
  switch (op) {
    case ">": return (o) => compare(get(o), first) > 0;
    case "<": return (o) => compare(get(o), first) < 0;
    case ">=": return (o) => compare(get(o), first) >= 0;
    case "<=": return (o) => compare(get(o), first) <= 0;
    case "%": return (o) => String(get(o)).includes(String(first));
    default: return (o) => values.some((v) => compare(get(o), v) === 0);
  }
}

/**
 * IRestService::sanitizeFilter. `scalarOnly`: event.offline.get's reservation (EventOfflineTable::markEvents) takes
 * no array values.
 */
function buildFilter(filter: unknown, fields: string[], scalarOnly: boolean): Test {
  if (filter === undefined || filter === null) return () => true;
  if (!isList(filter)) throw plainError("The filter is not an array.");
  const tests: Test[] = [];
  for (const [rawKey, value] of Object.entries(filter)) {
    const key = rawKey.toUpperCase();
    const [, op = "", name = ""] = /^([^a-zA-Z]*)(.*)$/s.exec(key) ?? [];
    if (!FILTER_OPS.includes(op)) throw plainError(`Filter operation not allowed: ${op}`);
    if (!fields.includes(name)) throw plainError(`Filter field not allowed: ${name}`);
    if (scalarOnly && isList(value)) throw argError(`The value of an argument '${key}' has an invalid type`, key);
    tests.push(condition(op, name, value));
  }
  return (o) => tests.every((t) => t(o));
}

/** IRestService::sanitizeOrder: `{FIELD: ASC|DESC}` or a list of fields; ties keep queue order (ID). */
function buildOrder(order: unknown, fields: string[]): Order {
  if (!isList(order)) throw plainError("The order is not an array.");
  const pairs: Array<[string, number]> = [];
  for (const [key, value] of Object.entries(order)) {
    const byPosition = /^\d+$/.test(key);
    const name = byPosition ? String(value) : key.toUpperCase();
    if (!fields.includes(name)) throw plainError(`Order field not allowed: ${name}`);
    const dir = byPosition ? "ASC" : String(value).toUpperCase();
    if (dir !== "ASC" && dir !== "DESC") throw plainError("Order direction should be one of {ASC|DESC}");
    pairs.push([name, dir === "DESC" ? -1 : 1]);
  }
  return (a, b) => {
    for (const [name, dir] of pairs) {
      const c = compare(field(a, name), field(b, name));
      if (c !== 0) return c * dir;
    }
    return a.id - b.id;
  };
}

function eventRow(o: OfflineEvent): Record<string, unknown> {
  return {
    ID: String(o.id), TIMESTAMP_X: isoSec(o.timestamp), EVENT_NAME: o.event,
    // An empty PHP array comes back as [].
    EVENT_DATA: Object.keys(o.data).length ? o.data : [], EVENT_ADDITIONAL: o.additional, MESSAGE_ID: o.messageId,
  };
}

/** `process_id` as core reads it: absent → null, anything else trimmed ("" is a value: the unreserved rows). */
function processIdOf(p: P): string | null {
  const v = param(p, "process_id");
  return v === undefined || v === null ? null : (str(v) ?? "").trim();
}

function get(ctx: RestContext, p: P): MethodResult {
  const clear = param(p, "clear") == null ? 1 : phpInt(param(p, "clear"));
  const given = processIdOf(p);
  if (!clear && !ctx.portal.offlineExtended) throw wrongLicense("extended offline events handling");
  const limit = param(p, "limit") == null ? PAGE_SIZE : phpInt(param(p, "limit"));
  const errors = phpInt(param(p, "error")) === 1;
  if (limit <= 0) throw argError("Value must be positive integer", "LIMIT");
  const test = buildFilter(param(p, "filter"), GET_FIELDS, given === null);
  const order = buildOrder(param(p, "order") ?? { TIMESTAMP_X: "ASC" }, GET_FIELDS);
  const connector = connectorOf(ctx);
  const mine = (o: OfflineEvent) => o.connector === connector && o.error === errors && test(o);
  // Without a process_id a new batch is reserved first, even for clear=1 (which then deletes that batch).
  const processId = given ?? randomHex(16);
  if (given === null) {
    for (const o of ctx.portal.offline.filter((x) => mine(x) && x.processId === "").sort(order).slice(0, limit)) o.processId = processId;
  }
  const rows = ctx.portal.offline.filter((o) => mine(o) && o.processId === processId).sort(order).slice(0, limit);
  // The whole batch goes, including rows `limit` left out of this answer.
  if (clear && rows.length) ctx.portal.offline = ctx.portal.offline.filter((o) => !(o.processId === processId && o.connector === connector));
  return ok({ process_id: !clear || given !== null ? processId : null, events: rows.map(eventRow) });
}

function clear(ctx: RestContext, p: P): MethodResult {
  const processId = processIdOf(p);
  if (processId === null) throw ERR.argument("PROCESS_ID");
  const messageIds = param(p, "message_id");
  let hit: (o: OfflineEvent) => boolean;
  if (messageIds !== undefined && messageIds !== null) {
    if (!isList(messageIds)) throw argError("Value must be array of MESSAGE_ID values", "message_id");
    const ids = listValues(messageIds).map((v) => (str(v) ?? "").trim());
    // "messsage_id" (sic) is what core names the argument when a value is not 32 characters long.
    if (ids.some((id) => [...id].length !== 32)) throw argError("Value must be array of MESSAGE_ID values", "messsage_id");
    hit = (o) => ids.length === 0 || ids.includes(o.messageId);
  } else {
    const raw = param(p, "id");
    let ids: number[] = [];
    if (raw !== undefined && raw !== null) {
      if (!isList(raw)) throw argError("Value must be array of integers", "id");
      ids = listValues(raw).map(phpInt);
      if (ids.some((id) => id <= 0)) throw argError("Value must be array of integers", "id");
    }
    hit = (o) => ids.length === 0 || ids.includes(o.id);
  }
  const connector = connectorOf(ctx);
  ctx.portal.offline = ctx.portal.offline.filter((o) => !(o.processId === processId && o.connector === connector && hit(o)));
  return ok(true);
}

/**
 * EventOfflineTable::markError: copies of these messages outside the batch that are not errored are deleted; the
 * batch's copies become errored and unreserved (an errored unreserved copy already there absorbs them).
 */
function markError(ctx: RestContext, p: P): MethodResult {
  const processId = processIdOf(p);
  if (processId === null) throw ERR.argument("PROCESS_ID");
  const raw = param(p, "message_id");
  if (!isList(raw)) throw argError("Value must be array of MESSAGE_ID values", "message_id");
  const ids = listValues(raw).map((v) => str(v) ?? "");
  const connector = connectorOf(ctx);
  const key = (o: OfflineEvent) => o.connector === connector && ids.includes(o.messageId);
  const portal = ctx.portal;
  portal.offline = portal.offline.filter((o) => !(key(o) && !o.error && o.processId !== processId));
  for (const o of portal.offline.filter((x) => key(x) && !x.error)) {
    const errored = portal.offline.find((x) => x !== o && x.connector === o.connector && x.messageId === o.messageId && x.processId === "");
    if (errored) portal.offline = portal.offline.filter((x) => x !== o);
    else Object.assign(o, { error: true, processId: "" });
  }
  return ok(true);
}

/** Read-only: every row of the connector, reserved and errored ones included, 50 a page. */
function list(ctx: RestContext, p: P): MethodResult {
  const test = buildFilter(param(p, "filter"), LIST_FIELDS, false);
  const order = buildOrder(param(p, "order") ?? { ID: "ASC" }, LIST_FIELDS);
  const offset = Math.max(0, phpInt(param(p, "start")));
  const matched = ctx.portal.offline.filter((o) => o.connector === connectorOf(ctx) && test(o)).sort(order);
  const page = matched.slice(offset, offset + PAGE_SIZE);
  const out: MethodResult = { result: page.map((o) => ({ ...eventRow(o), PROCESS_ID: o.processId, ERROR: o.error ? "1" : "0" })), total: matched.length };
  if (offset + page.length < matched.length) out.next = offset + page.length;
  return out;
}

// `admin: ""`: core throws a bare AccessException, "Access denied!".
register(
  { name: "event.offline.get", scope: [], admin: "", appOnly: "WRONG_AUTH_TYPE", run: get },
  { name: "event.offline.clear", scope: [], admin: "", appOnly: "WRONG_AUTH_TYPE", run: clear },
  { name: "event.offline.error", scope: [], admin: "", appOnly: "WRONG_AUTH_TYPE", run: markError },
  { name: "event.offline.list", scope: [], admin: "", appOnly: "WRONG_AUTH_TYPE", run: list },
);
