import type { Incoming, Reply } from "../http";
import { takeRequestSlot } from "../limits";
import type { EmulatorState, PortalState } from "../state";
import { authenticate, takeConnector, takeToken, type RestContext } from "./auth";
import { callMethod } from "./call";
import { CORS_HEADERS, ERR, errorBody, errorReply, RestError, successReply, timeBlock } from "./envelope";
import { param, readParams } from "./params";
import { xmlReply } from "./xml";
import { oauthAppInfo } from "./methods/system";
import "./methods/system";
import "./methods/crm-deal";
import "./methods/crm-contact";
import "./methods/events";
import "./methods/offline-events";
import "./methods/options";
import "./methods/placements";
import "./methods/timeline";
import "./methods/statuses";
// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
import "./methods/bizproc";
import "./batch";

export type Transport = "json" | "xml";

/**
 * `/rest/{method}`, `/rest/{method}/` and `/rest/{method}.json|.xml` (the suffix picks the transport, JSON by
 * default); method names are case-insensitive.
 */
export function methodFromPath(path: string): { name: string; transport: Transport } | null {
  const m = /^\/rest\/([A-Za-z0-9_.]+?)(?:\.(json|xml))?\/?$/i.exec(path);
  if (!m?.[1]) return null;
  return { name: m[1].toLowerCase(), transport: m[2]?.toLowerCase() === "xml" ? "xml" : "json" };
}

/** `/rest/{user}/{secret}/{method}`: an incoming-webhook URL. */
function isWebhookPath(path: string): boolean {
  return /^\/rest\/(?!api\/)[^/]+\/[^/]+\/[A-Za-z0-9_.]+?(?:\.(?:json|xml))?\/?$/i.test(path);
}

function headersFor(state: EmulatorState, startMs: number): Record<string, string> {
  const t = String((state.clock.nowMs() - startMs) / 1000);
  return { "x-bitrix-rest-application": state.app.clientId, "x-bitrix-rest-time": t };
}

export async function handlePortalRest(state: EmulatorState, portal: PortalState, req: Incoming): Promise<Reply> {
  if (req.method === "OPTIONS") return { status: 200, headers: CORS_HEADERS };
  const startMs = state.clock.nowMs();
  const route = methodFromPath(req.path);
  const fail = (e: RestError): Reply => (route?.transport === "xml" ? xmlReply(e.status, errorBody(e)) : errorReply(e));
  const webhook = !route && isWebhookPath(req.path);
  if (!route && !webhook) return fail(ERR.methodNotFound());
  if (!takeRequestSlot(state, portal)) return fail(ERR.queryLimit());
  if (portal.deleted) return fail(ERR.portalDeleted());
  const params = await readParams(req);
  const token = takeToken(params, req.headers);
  const connector = takeConnector(params);
  // The emulator issues no webhooks, so every webhook credential (path form or `aplogin`+`ap`) is unknown to it.
  if (webhook || (!token && param(params, "aplogin") !== undefined && param(params, "ap") !== undefined)) {
    return fail(ERR.invalidCredentials());
  }
  if (!route) return fail(ERR.methodNotFound());
  let ctx: RestContext;
  try {
    ctx = authenticate(state, portal, token, startMs, connector);
    if (portal.paymentRequired) throw ERR.paymentRequired();
  } catch (e) {
    if (e instanceof RestError) return fail(e);
    throw e;
  }
  const outcome = await callMethod(ctx, route.name, params);
  if (!outcome.ok) return fail(outcome.error);
  const body: Record<string, unknown> = { result: outcome.result };
  if (outcome.total !== undefined) body.total = outcome.total;
  if (outcome.next !== undefined) body.next = outcome.next;
  body.time = outcome.time;
  const headers = headersFor(state, startMs);
  return route.transport === "xml" ? xmlReply(200, body, headers) : successReply(body, headers);
}

/** The OAuth server's REST endpoint (`server_endpoint`) only answers `app.info`, the trusted token check. */
export async function handleOauthRest(state: EmulatorState, req: Incoming, server: 1 | 2 = 1): Promise<Reply> {
  if (req.method === "OPTIONS") return { status: 200, headers: CORS_HEADERS };
  const startMs = state.clock.nowMs();
  const name = methodFromPath(req.path)?.name;
  const params = await readParams(req);
  try {
    if (name !== "app.info") throw ERR.methodNotFound();
    const ctx = authenticate(state, null, takeToken(params, req.headers), startMs);
    // Each region's server knows only its own portals' tokens.
    if (ctx.portal.oauthServer !== server) throw ERR.invalidToken();
    return successReply({ result: oauthAppInfo(ctx), time: timeBlock(startMs, 0) });
  } catch (e) {
    if (e instanceof RestError) return errorReply(e);
    throw e;
  }
}
