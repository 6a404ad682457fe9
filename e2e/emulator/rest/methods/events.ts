import { randomHex } from "../../state";
import { KNOWN_EVENTS, fireEvent } from "../../lifecycle/events";
import type { RestContext } from "../auth";
import { ERR, RestError } from "../envelope";
import { param, str, truthy } from "../params";
import { ok, register } from "../registry";

type P = Record<string, unknown>;

function eventName(p: P): string {
  const event = str(param(p, "event"))?.toUpperCase();
  if (!event) throw ERR.argument("event");
  if (!KNOWN_EVENTS.includes(event)) throw new RestError(400, "ERROR_EVENT_NOT_FOUND", "Event not found");
  return event;
}

function isOffline(p: P): boolean {
  return str(param(p, "event_type"))?.toLowerCase() === "offline";
}

function bind(ctx: RestContext, p: P) {
  const event = eventName(p);
  const offline = isOffline(p);
  const authType = Number(str(param(p, "auth_type")) ?? 0) || 0;
  if (offline && !ctx.user.admin) throw ERR.accessDenied("Offline events binding requires administrator access rights");
  if (authType > 0 && !ctx.user.admin) throw ERR.accessDenied("Event binding with AUTH_TYPE requires administrator access rights");
  const handler = offline ? "" : (str(param(p, "handler")) ?? "");
  if (!offline && !handler) throw ERR.argument("handler");
  if (!offline && !/^https?:\/\//i.test(handler)) throw new RestError(400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  const dup = ctx.portal.bindings.some(
    (b) => b.event === event && b.handler === handler && b.authType === authType && b.offline === offline,
  );
  if (dup) throw ERR.handlerExists();
  ctx.portal.bindings.push({ id: ctx.portal.nextBindingId++, event, handler, authType, offline, userId: ctx.user.id });
  return ok(true);
}

function unbind(ctx: RestContext, p: P) {
  const event = eventName(p);
  const offline = isOffline(p);
  const handler = offline ? "" : (str(param(p, "handler")) ?? "");
  if (!offline && !handler) throw ERR.argument("handler");
  const authType = Number(str(param(p, "auth_type")) ?? 0) || 0;
  const before = ctx.portal.bindings.length;
  ctx.portal.bindings = ctx.portal.bindings.filter(
    (b) => !(b.event === event && b.handler === handler && b.authType === authType && b.offline === offline),
  );
  return ok({ count: before - ctx.portal.bindings.length });
}

function offlineSelect(ctx: RestContext, p: P) {
  const limit = Math.max(1, Math.min(1000, Number(str(param(p, "limit")) ?? 50) || 50));
  const filter = param(p, "filter") as Record<string, unknown> | undefined;
  const wanted = filter && typeof filter === "object" ? str(param(filter, "EVENT_NAME"))?.toUpperCase() : undefined;
  return ctx.portal.offline.filter((o) => o.processId === null && !o.error && (!wanted || o.event === wanted)).slice(0, limit);
}

function offlineRow(o: { id: number; messageId: string; event: string; data: P; timestamp: number }) {
  return {
    ID: String(o.id), TIMESTAMP_X: new Date(o.timestamp).toISOString().replace(/\.\d+Z$/, "+00:00"), EVENT_NAME: o.event,
    EVENT_DATA: o.data, EVENT_ADDITIONAL: false, MESSAGE_ID: o.messageId,
  };
}

const OFFLINE_ADMIN = "";

register(
  { name: "event.bind", scope: [], run: bind },
  { name: "event.unbind", scope: [], run: unbind },
  {
    name: "event.get",
    scope: [],
    run: (ctx) => ok(
      ctx.portal.bindings
        .filter((b) => ctx.user.admin || b.userId === ctx.user.id)
        .map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authType), offline: b.offline ? 1 : 0 })),
    ),
  },
  { name: "events", scope: [], run: () => ok(KNOWN_EVENTS) },
  {
    name: "event.test",
    scope: [],
    run: (ctx, p) => {
      fireEvent(ctx.state, ctx.portal, "ONAPPTEST", { QUERY: p }, ctx.user.id);
      return ok(true);
    },
  },
  {
    name: "event.offline.get",
    scope: [],
    admin: OFFLINE_ADMIN,
    run: (ctx, p) => {
      const rows = offlineSelect(ctx, p);
      const clear = param(p, "clear") === undefined ? true : truthy(param(p, "clear"));
      if (clear) {
        const ids = new Set(rows.map((r) => r.id));
        ctx.portal.offline = ctx.portal.offline.filter((o) => !ids.has(o.id));
        return ok({ process_id: null, events: rows.map(offlineRow) });
      }
      const processId = randomHex(16);
      for (const r of rows) r.processId = processId;
      return ok({ process_id: rows.length ? processId : null, events: rows.map(offlineRow) });
    },
  },
  {
    name: "event.offline.list",
    scope: [],
    admin: OFFLINE_ADMIN,
    run: (ctx, p) => ok(offlineSelect(ctx, p).map(offlineRow)),
  },
  {
    name: "event.offline.clear",
    scope: [],
    admin: OFFLINE_ADMIN,
    run: (ctx, p) => {
      const processId = str(param(p, "process_id"));
      if (!processId) throw ERR.argument("process_id");
      const ids = [param(p, "id"), param(p, "message_id")].flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])).map(String);
      ctx.portal.offline = ctx.portal.offline.filter(
        (o) => !(o.processId === processId && (ids.length === 0 || ids.includes(String(o.id)) || ids.includes(o.messageId))),
      );
      return ok(true);
    },
  },
  {
    name: "event.offline.error",
    scope: [],
    admin: OFFLINE_ADMIN,
    run: (ctx, p) => {
      const processId = str(param(p, "process_id"));
      if (!processId) throw ERR.argument("process_id");
      const raw = param(p, "message_id");
      const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
      for (const o of ctx.portal.offline) if (o.processId === processId && ids.includes(o.messageId)) o.error = true;
      return ok(true);
    },
  },
);
