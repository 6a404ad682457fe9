import { createHash } from "node:crypto";
import { encodeBracket } from "../form";
import type { EmulatorState, PortalState, Binding, EventOrigin } from "../state";
import type { DeliveryResult } from "../types";
import { licenceOf } from "../licence";

export const KNOWN_EVENTS = [
  "ONAPPINSTALL", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT", "ONAPPTEST", "ONAPPMETHODCONFIRM", "ONOFFLINEEVENT",
  "ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE", "ONCRMLEADADD", "ONCRMLEADUPDATE", "ONCRMLEADDELETE",
  "ONCRMCONTACTADD", "ONCRMCONTACTUPDATE", "ONCRMCOMPANYADD", "ONUSERADD", "ONTASKADD", "ONTASKUPDATE",
];

/** Events whose `auth` has only the portal's address and member_id: no tokens, no application_token (https://apidocs.bitrix24.com/api-reference/common/events/on-app-update.html). */
const ANONYMOUS = new Set(["ONAPPPAYMENT"]);
/** Events that carry a refresh token (core registers them with sendRefreshToken). */
const WITH_REFRESH = new Set(["ONAPPINSTALL", "ONAPPUPDATE", "ONAPPTEST", "ONOFFLINEEVENT"]);
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * `auth` of a delivery. Without a user (robot, workflow, a test's system trigger) only the identifying fields
 * are sent, exactly as for outgoing webhooks.
 */
export function eventAuth(state: EmulatorState, portal: PortalState, userId: number | null, withRefresh: boolean): Record<string, unknown> {
  const base = {
    domain: portal.host,
    client_endpoint: state.clientEndpoint(portal),
    server_endpoint: state.serverEndpoint(portal),
    member_id: portal.memberId,
    application_token: portal.applicationToken,
  };
  if (userId === null) return base;
  const pair = state.tokens.issue(portal.memberId, userId);
  return {
    access_token: pair.access,
    expires: String(Math.floor(pair.accessExpiresMs / 1000)),
    expires_in: String(state.tokens.accessTtlSec),
    scope: state.app.scope.join(","),
    ...base,
    status: licenceOf(state, portal).status,
    user_id: String(userId),
    ...(withRefresh ? { refresh_token: pair.refresh } : {}),
  };
}

export async function postForm(
  state: EmulatorState,
  portal: PortalState,
  event: string,
  handler: string,
  payload: Record<string, unknown>,
): Promise<DeliveryResult> {
  const body = encodeBracket(payload).toString();
  const result: DeliveryResult = {
    seq: ++state.deliverySeq, event, handler, memberId: portal.memberId, status: 0, ok: false, body, time: state.clock.nowMs(),
  };
  try {
    const res = await fetch(handler, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    result.status = res.status;
    result.ok = res.ok;
  } catch (err) {
    result.error = String((err as Error).message ?? err);
  }
  state.deliveries.push(result);
  if (state.deliveries.length > 10_000) state.deliveries.splice(0, state.deliveries.length - 10_000);
  return result;
}

export function deliver(
  state: EmulatorState,
  portal: PortalState,
  binding: Binding,
  event: string,
  data: Record<string, unknown>,
  userId: number | null,
): Promise<DeliveryResult> {
  const asUser = binding.authType > 0 ? binding.authType : userId;
  const auth = ANONYMOUS.has(event)
    ? { domain: portal.host, client_endpoint: state.clientEndpoint(portal), server_endpoint: state.serverEndpoint(portal), member_id: portal.memberId }
    : eventAuth(state, portal, asUser, WITH_REFRESH.has(event));
  const payload = { event, event_handler_id: String(binding.id), data, ts: String(state.clock.nowSec()), auth };
  return postForm(state, portal, event, binding.handler, payload);
}

/** Per ONOFFLINEEVENT binding: when it was last notified (core caches the send per handler for minTimeout s). */
const lastOfflineNotify = new WeakMap<Binding, number>();
/** Requests that already sent a minTimeout=0 notification (core: one static flag per PHP process, i.e. per hit). */
const notifiedHits = new WeakSet<object>();

/**
 * Core EventOfflineTable::callEvent: upsert on (MESSAGE_ID, APP_ID, CONNECTOR_ID, PROCESS_ID) refreshing
 * TIMESTAMP_X, EVENT_DATA and EVENT_ADDITIONAL (never ERROR). Only unreserved rows match, so a change after a
 * reservation makes a new row with the same MESSAGE_ID.
 */
function upsertOffline(state: EmulatorState, portal: PortalState, connector: string, event: string, data: Record<string, unknown>, userId: number | null): void {
  // PHP's Json::encode and JSON.stringify agree on the emulator's payloads (ASCII keys, numbers and plain strings).
  const messageId = createHash("md5").update(`${event}|${JSON.stringify(data)}`).digest("hex");
  const additional = { user_id: String(userId ?? 0) };
  const now = state.clock.nowMs();
  const row = portal.offline.find((o) => o.messageId === messageId && o.connector === connector && o.processId === "");
  if (row) {
    Object.assign(row, { timestamp: now, data, additional });
    return;
  }
  portal.offline.push({ id: portal.nextOfflineId++, messageId, event, data, additional, timestamp: now, processId: "", connector, error: false });
}

/**
 * Core ProviderOffline: one row per offline binding, except in the queue the causing request fed itself: the app's
 * own call with the same auth_connector ("" matches ""), so an app never reads its own writes back. Returns whether
 * any row was queued.
 */
function queueOffline(state: EmulatorState, portal: PortalState, bound: Binding[], event: string, data: Record<string, unknown>, userId: number | null, origin: EventOrigin | null): boolean {
  let queued = false;
  for (const b of bound) {
    if (!b.offline || (origin && (origin.connector ?? "") === b.connector)) continue;
    upsertOffline(state, portal, b.connector, event, data, userId);
    queued = true;
  }
  return queued;
}

/** Core EventOfflineTable::checkSendTime: minTimeout seconds per binding (default 1); 0 or less = once per hit. */
function mayNotify(state: EmulatorState, b: Binding, hit: object): boolean {
  const timeout = b.options.minTimeout ?? 1;
  if (timeout <= 0) {
    if (notifiedHits.has(hit)) return false;
    notifiedHits.add(hit);
    return true;
  }
  const now = state.clock.nowMs();
  const last = lastOfflineNotify.get(b);
  if (last !== undefined && now - last < timeout * 1000) return false;
  lastOfflineNotify.set(b, now);
  return true;
}

/** Runs the delivery now; REST methods use `fireEvent`, which does not make the caller wait. */
export async function triggerEvent(
  state: EmulatorState,
  portal: PortalState,
  event: string,
  data: Record<string, unknown>,
  userId: number | null,
  origin: EventOrigin | null = null,
): Promise<DeliveryResult[]> {
  const name = event.toUpperCase();
  // A blocked app (payment required: extensions §5.3) gets no events.
  if (!portal.installed || portal.paymentRequired) return [];
  if (!portal.installFinished) {
    if ((state.options.eventsBeforeInstallFinish ?? "hold") === "hold") portal.held.push({ event: name, data, userId, origin });
    return [];
  }
  const bound = portal.bindings.filter((b) => b.event === name);
  const sends = bound.filter((b) => !b.offline).map((b) => deliver(state, portal, b, name, data, userId));
  if (queueOffline(state, portal, bound, name, data, userId, origin)) {
    const hit = origin ?? {};
    // A signal only: no data, the queue is read with event.offline.get.
    for (const b of portal.bindings.filter((x) => x.event === "ONOFFLINEEVENT" && !x.offline)) {
      if (mayNotify(state, b, hit)) sends.push(deliver(state, portal, b, "ONOFFLINEEVENT", {}, userId));
    }
  }
  return Promise.all(sends);
}

export function fireEvent(
  state: EmulatorState,
  portal: PortalState,
  event: string,
  data: Record<string, unknown>,
  userId: number | null,
  origin: EventOrigin | null = null,
): void {
  void triggerEvent(state, portal, event, data, userId, origin);
}

export async function releaseHeld(state: EmulatorState, portal: PortalState): Promise<DeliveryResult[]> {
  const held = portal.held.splice(0);
  const out: DeliveryResult[] = [];
  for (const h of held) out.push(...(await triggerEvent(state, portal, h.event, h.data, h.userId, h.origin)));
  return out;
}
