import "server-only";
import { createHash } from "node:crypto";
import { errorJson } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { countEventDelivery } from "@/lib/metrics";
import { b24Config } from "../config";
import { B24Error, isB24Error } from "@/lib/errors";
import { formString, parseFormRequest, type FormTree } from "./form";
import { bindAppEvents, persistInstall } from "./install";
import { purgePortal, recordEvent, uninstallPortal } from "../store/portals";
import { deliveryPortal } from "./delivery-auth";
import { nudgeLicence } from "../licence";
import { eventHandler, offlineEvents, OFFLINE_SIGNAL } from "../registry";
import { drainJob } from "../inbox/offline";
import { dedupKey, enqueueJob } from "../store/inbox";
import { kickInbox } from "../inbox/pump";
import type { EventPayload } from "../inbox/worker";
import { safeEqual } from "@/lib/safe-equal";
import { verifyAccessToken } from "../oauth/verify";
import { selectServer } from "../oauth/servers";

/**
 * Bitrix24's event deliveries (POST /api/b24/events; https://apidocs.bitrix24.com/api-reference/events/index.html). Nothing in a delivery is trusted
 * on its own word:
 * - ONAPPINSTALL / ONAPPUPDATE carry tokens: a configured OAuth server must vouch for `auth[access_token]` and
 *   report the same member_id; the stored endpoint is the one it reports. A posted client_endpoint is never read;
 *   a posted server_endpoint only selects among the configured servers (oauth/servers.ts). Only then are the tokens and the new application_token stored.
 * - Every other event, ONAPPUNINSTALL included, is authenticated only by `auth[application_token]`, compared in
 *   constant time with the sealed stored one. Unknown portal, missing or wrong token → 403, nothing changes.
 * - ONAPPPAYMENT is the exception Bitrix24 makes: it carries neither, so it is only a hint to ask Bitrix24 again.
 * Deliveries are answered at once (Bitrix24 lowers the priority of slow handlers and never retries): business events
 * with a handler are stored in the inbox and run from there (inbox/worker.ts); lifecycle work that can wait
 * (binding events, recording the last event, purging data) runs after the response via `defer`.
 * Bodies and tokens are never logged.
 */
export type Defer = (task: () => Promise<void>) => void;

const EVENT = /^[A-Z][A-Z0-9_]{0,63}$/;
const MEMBER_ID = /^[A-Za-z0-9]{1,64}$/;
const TOKEN = /^[\x21-\x7e]{8,512}$/;
const APP_TOKEN = /^[\x21-\x7e]{8,256}$/;
/** Bitrix24 access tokens live an hour; a posted expires_in is only believed within that. */
const MAX_ACCESS_TTL_SEC = 3600;

const forbidden = () => new B24Error("forbidden", "This event could not be authenticated.");

/** The route's whole job: parse, dispatch, answer. Errors map through errors.ts; bodies never reach a log. */
export async function handleEventDelivery(req: Request, defer: Defer): Promise<Response> {
  let event = "unparsed";
  let memberId: string | undefined;
  try {
    const tree = await parseFormRequest(req);
    event = (formString(tree, "event") ?? "").toUpperCase();
    memberId = formString(tree, "auth", "member_id");
    if (!EVENT.test(event)) throw new B24Error("bad_request", "The delivery names no valid event.");
    if (!memberId || !MEMBER_ID.test(memberId)) throw new B24Error("bad_request", "The delivery names no valid portal.");
    const outcome = await dispatch(event, memberId, tree, defer);
    countEventDelivery(outcome);
    log.info("b24.event", { name: event, memberId, outcome });
    return Response.json({ status: "success" }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    countEventDelivery("refused");
    log.warn("b24.event.refused", { name: EVENT.test(event) ? event : "invalid", memberId: memberId && MEMBER_ID.test(memberId) ? memberId : undefined, reason: isB24Error(err) ? err.code : "internal" });
    return errorJson(err);
  }
}

function dispatch(event: string, memberId: string, tree: FormTree, defer: Defer): Promise<string> {
  switch (event) {
    case "ONAPPINSTALL":
    case "ONAPPUPDATE":
      return onInstall(event, memberId, tree, defer);
    case "ONAPPUNINSTALL":
      return onUninstall(memberId, tree, defer);
    case "ONAPPPAYMENT":
      return onPaymentHint(memberId, defer);
    default:
      return onOther(event, memberId, tree, defer);
  }
}

async function onInstall(event: string, memberId: string, tree: FormTree, defer: Defer): Promise<string> {
  const accessToken = formString(tree, "auth", "access_token");
  const refreshToken = formString(tree, "auth", "refresh_token");
  if (!accessToken || !refreshToken || !TOKEN.test(accessToken) || !TOKEN.test(refreshToken)) throw forbidden();
  let verified;
  try {
    const cfg = b24Config();
    verified = await verifyAccessToken(accessToken, cfg, selectServer(cfg, formString(tree, "auth", "server_endpoint")));
  } catch (err) {
    // An OAuth outage is ours to report (503); anything else means the token is not vouched for.
    if (isB24Error(err) && (err.code === "oauth_unavailable" || err.code === "upstream_unavailable")) throw err;
    throw forbidden();
  }
  if (!safeEqual(verified.memberId, memberId) || verified.bitrixUserId === null) throw forbidden();
  const posted = Number(formString(tree, "auth", "expires_in"));
  const ttl = Number.isInteger(posted) && posted > 0 ? Math.min(posted, MAX_ACCESS_TTL_SEC) : MAX_ACCESS_TTL_SEC;
  const appToken = formString(tree, "auth", "application_token");
  await persistInstall({
    verified,
    accessToken,
    refreshToken,
    expiresAt: new Date(Date.now() + ttl * 1000),
    applicationToken: appToken && APP_TOKEN.test(appToken) ? appToken : null,
    installedBy: verified.bitrixUserId,
    language: bitrixLanguage(formString(tree, "data", "LANGUAGE_ID")),
  });
  // Bitrix24 drops an app's handlers on update and sends ONAPPUNINSTALL only to bound ones: bind (again) now.
  defer(async () => {
    await bindQuietly(memberId);
    await recordEvent(memberId, event);
  });
  return "installed";
}

/** Bitrix24's language ids are two lower-case letters (en, ru, de, ua, br, la, sc…). */
const bitrixLanguage = (v: string | undefined) => (v && /^[a-z]{2}$/.test(v) ? v : null);

async function bindQuietly(memberId: string): Promise<void> {
  try {
    await bindAppEvents(memberId);
  } catch (err) {
    log.error("b24.install.bind_failed", { memberId, reason: isB24Error(err) ? err.code : "internal", upstream: isB24Error(err) ? err.upstream : undefined });
  }
}

async function authenticated(memberId: string, tree: FormTree) {
  const portal = await deliveryPortal(memberId, tree);
  if (!portal) throw forbidden();
  return portal;
}

/**
 * Soft state change now (status, tokens gone); the purge that `data[CLEAN]=1` asks for runs after the response.
 * The portal row stays as a tombstone holding the old sealed application_token, so a replay is recognised and
 * answered 200 without effect, while a reinstall replaces the token and makes that replay a 403.
 */
async function onUninstall(memberId: string, tree: FormTree, defer: Defer): Promise<string> {
  const portal = await authenticated(memberId, tree);
  if (portal.status === "uninstalled") return "replay";
  const at = new Date();
  if (!(await uninstallPortal(memberId, portal.applicationToken, at))) return "replay";
  if (formString(tree, "data", "CLEAN") === "1") defer(() => purgePortalData(memberId, at));
  return "uninstalled";
}

/** Deletes what the app keeps for a portal, unless a reinstall happened since the uninstall at `at`. */
export async function purgePortalData(memberId: string, at: Date): Promise<void> {
  const purged = await purgePortal(memberId, at);
  log.info("b24.uninstall.purge", { memberId, purged });
}

/**
 * ONAPPPAYMENT has no tokens and no application_token, so it cannot be authenticated and nothing in its body is read:
 * it only prompts a rate-limited re-read of the stored portal's app.info with the installer's pair (licence.ts),
 * which also lifts a payment block when Bitrix24 says so (recheck.ts). An unknown member_id costs nothing.
 */
async function onPaymentHint(memberId: string, defer: Defer): Promise<string> {
  defer(async () => {
    const outcome = await nudgeLicence(memberId);
    log.info("b24.payment.recheck", { memberId, outcome });
  });
  return "recheck";
}

/**
 * Business events: authenticated first (application_token), and only then is the manifest's handler looked up, so
 * no handler can be reached by an unauthenticated delivery. A delivery with a handler is stored in the inbox once
 * (the dedup key covers portal, event, handler id, ts and the data) and answered; the handler runs from the inbox.
 */
async function onOther(event: string, memberId: string, tree: FormTree, defer: Defer): Promise<string> {
  const portal = await authenticated(memberId, tree);
  if (portal.status === "uninstalled") throw new B24Error("portal_uninstalled", "The app is not installed on this portal.");
  defer(() => recordEvent(memberId, event, { throttle: true }));
  if (event === OFFLINE_SIGNAL && offlineEvents().length) {
    // A signal only (its data is empty): the drain job pulls the events from Bitrix24's queue (inbox/offline.ts).
    const queued = await enqueueJob(drainJob(memberId, `signal:${formString(tree, "event_handler_id") ?? ""}:${formString(tree, "ts") ?? ""}`, { recover: false, followUp: true }));
    if (queued === "queued") defer(async () => kickInbox());
    return queued;
  }
  if (!eventHandler(event)) return "recorded";
  const payload: EventPayload = { data: formTree(tree, "data"), ts: formString(tree, "ts") ?? null, handlerId: formString(tree, "event_handler_id") ?? null };
  const body = createHash("sha256").update(JSON.stringify(payload.data)).digest("hex");
  const queued = await enqueueJob({ memberId, kind: "event", name: event, payload, dedupKey: dedupKey([memberId, event, payload.handlerId ?? "", payload.ts ?? "", body]) });
  if (queued === "queued") defer(async () => kickInbox());
  return queued;
}

function formTree(tree: FormTree, key: string): FormTree {
  const node = Object.hasOwn(tree, key) ? tree[key] : undefined;
  return node && typeof node === "object" ? node : {};
}

