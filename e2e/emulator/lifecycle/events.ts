import { encodeBracket } from "../form";
import type { EmulatorState, PortalState, Binding } from "../state";
import type { DeliveryResult } from "../types";

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
const OFFLINE_NOTIFY_MIN_MS = 1000;

/**
 * `auth` of a delivery. Without a user (robot, workflow, a test's system trigger) only the identifying fields
 * are sent, exactly as for outgoing webhooks.
 */
export function eventAuth(state: EmulatorState, portal: PortalState, userId: number | null, withRefresh: boolean): Record<string, unknown> {
  const base = {
    domain: portal.host,
    client_endpoint: state.clientEndpoint(portal),
    server_endpoint: state.serverEndpoint(),
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
    status: state.app.status,
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
    ? { domain: portal.host, client_endpoint: state.clientEndpoint(portal), server_endpoint: state.serverEndpoint(), member_id: portal.memberId }
    : eventAuth(state, portal, asUser, WITH_REFRESH.has(event));
  const payload = { event, event_handler_id: String(binding.id), data, ts: String(state.clock.nowSec()), auth };
  return postForm(state, portal, event, binding.handler, payload);
}

const lastOfflineNotify = new WeakMap<PortalState, number>();

/** The offline queue keeps one record per object: later changes replace the pending record. */
function enqueueOffline(state: EmulatorState, portal: PortalState, event: string, data: Record<string, unknown>): void {
  const objectId = JSON.stringify((data.FIELDS as Record<string, unknown> | undefined)?.ID ?? null);
  const existing = portal.offline.find(
    (o) => o.processId === null && o.event === event && JSON.stringify((o.data.FIELDS as Record<string, unknown> | undefined)?.ID ?? null) === objectId,
  );
  if (existing) {
    existing.data = data;
    existing.timestamp = state.clock.nowMs();
    return;
  }
  const id = portal.nextOfflineId++;
  portal.offline.push({ id, messageId: String(id), event, data, timestamp: state.clock.nowMs(), processId: null, error: false });
}

/** Runs the delivery now; REST methods use `fireEvent`, which does not make the caller wait. */
export async function triggerEvent(
  state: EmulatorState,
  portal: PortalState,
  event: string,
  data: Record<string, unknown>,
  userId: number | null,
): Promise<DeliveryResult[]> {
  const name = event.toUpperCase();
  if (!portal.installed) return [];
  if (!portal.installFinished) {
    if ((state.options.eventsBeforeInstallFinish ?? "hold") === "hold") portal.held.push({ event: name, data, userId });
    return [];
  }
  const bound = portal.bindings.filter((b) => b.event === name);
  const offline = bound.filter((b) => b.offline);
  if (offline.length > 0) {
    enqueueOffline(state, portal, name, data);
    const now = state.clock.nowMs();
    const notify = portal.bindings.filter((b) => b.event === "ONOFFLINEEVENT" && !b.offline);
    if (notify.length > 0 && now - (lastOfflineNotify.get(portal) ?? 0) >= OFFLINE_NOTIFY_MIN_MS) {
      lastOfflineNotify.set(portal, now);
      for (const b of notify) void deliver(state, portal, b, "ONOFFLINEEVENT", {}, b.userId);
    }
  }
  return Promise.all(bound.filter((b) => !b.offline).map((b) => deliver(state, portal, b, name, data, userId)));
}

export function fireEvent(
  state: EmulatorState,
  portal: PortalState,
  event: string,
  data: Record<string, unknown>,
  userId: number | null,
): void {
  void triggerEvent(state, portal, event, data, userId);
}

export async function releaseHeld(state: EmulatorState, portal: PortalState): Promise<DeliveryResult[]> {
  const held = portal.held.splice(0);
  const out: DeliveryResult[] = [];
  for (const h of held) out.push(...(await triggerEvent(state, portal, h.event, h.data, h.userId)));
  return out;
}
