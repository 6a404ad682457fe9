import { KNOWN_EVENTS, fireEvent } from "../../lifecycle/events";
import type { Binding } from "../../state";
import { connectorOf, type RestContext } from "../auth";
import { ERR, RestError } from "../envelope";
import { param, str } from "../params";
import { ok, register } from "../registry";
import { phpInt } from "./offline-events";

type P = Record<string, unknown>;

/** Core registers these with `allowOptions`; every other option of event.bind is dropped. */
const ALLOW_OPTIONS: Record<string, string[]> = { ONOFFLINEEVENT: ["minTimeout"] };
/** Core registers these with `disableOffline`. */
const ONLINE_ONLY = new Set(["ONOFFLINEEVENT"]);

function eventName(p: P): string {
  const event = str(param(p, "event"))?.toUpperCase();
  if (!event) throw ERR.argument("event");
  if (!KNOWN_EVENTS.includes(event)) throw new RestError(400, "ERROR_EVENT_NOT_FOUND", "Event not found");
  return event;
}

function isOffline(p: P): boolean {
  return str(param(p, "event_type"))?.toLowerCase() === "offline";
}

function bindOptions(event: string, p: P): Record<string, number> {
  const given = param(p, "options");
  const out: Record<string, number> = {};
  if (!given || typeof given !== "object") return out;
  for (const code of ALLOW_OPTIONS[event] ?? []) {
    const v = (given as P)[code];
    if (v !== undefined && v !== null) out[code] = phpInt(v);
  }
  return out;
}

/** An offline binding is one per (event, connector): core ignores handler and auth_type for it. */
function sameBinding(b: Binding, event: string, offline: boolean, handler: string, authType: number, connector: string): boolean {
  if (b.event !== event || b.offline !== offline) return false;
  return offline ? b.connector === connector : b.handler === handler && b.authType === authType && b.connector === connector;
}

function bind(ctx: RestContext, p: P) {
  const event = eventName(p);
  const offline = isOffline(p);
  const authType = offline ? 0 : Number(str(param(p, "auth_type")) ?? 0) || 0;
  if (offline && !ctx.user.admin) throw ERR.accessDenied("Offline events binding requires administrator access rights");
  if (authType > 0 && !ctx.user.admin) throw ERR.accessDenied("Event binding with AUTH_TYPE requires administrator access rights");
  const handler = offline ? "" : (str(param(p, "handler")) ?? "");
  if (!offline && !handler) throw ERR.argument("handler");
  if (!offline && !/^https?:\/\//i.test(handler)) throw new RestError(400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  if (offline && ONLINE_ONLY.has(event)) throw new RestError(400, "ERROR_ARGUMENT", "Offline event cannot be registered for this event.");
  if (ctx.portal.bindings.some((b) => sameBinding(b, event, offline, handler, authType, connectorOf(ctx)))) throw ERR.handlerExists();
  ctx.portal.bindings.push({
    id: ctx.portal.nextBindingId++, event, handler, authType, offline, userId: ctx.user.id, connector: connectorOf(ctx), options: bindOptions(event, p),
  });
  return ok(true);
}

function unbind(ctx: RestContext, p: P) {
  const event = eventName(p);
  const offline = isOffline(p);
  const handler = offline ? "" : (str(param(p, "handler")) ?? "");
  if (!offline && !handler) throw ERR.argument("handler");
  const authType = Number(str(param(p, "auth_type")) ?? 0) || 0;
  const before = ctx.portal.bindings.length;
  // Online bindings are matched whatever their connector (core filters CONNECTOR_ID for offline ones only).
  ctx.portal.bindings = ctx.portal.bindings.filter((b) => !sameBinding(b, event, offline, handler, authType, offline ? connectorOf(ctx) : b.connector));
  return ok({ count: before - ctx.portal.bindings.length });
}

register(
  { name: "event.bind", scope: [], run: bind },
  { name: "event.unbind", scope: [], run: unbind },
  {
    name: "event.get",
    scope: [],
    run: (ctx) => ok(
      ctx.portal.bindings
        .filter((b) => ctx.user.admin || b.userId === ctx.user.id)
        .map((b) => (b.offline
          ? { event: b.event, connector_id: b.connector, offline: 1 }
          : { event: b.event, handler: b.handler, auth_type: String(b.authType), offline: 0 })),
    ),
  },
  { name: "events", scope: [], run: () => ok(KNOWN_EVENTS) },
  {
    name: "event.test",
    scope: [],
    run: (ctx, p) => {
      fireEvent(ctx.state, ctx.portal, "ONAPPTEST", { QUERY: p }, ctx.user.id, ctx);
      return ok(true);
    },
  },
);
