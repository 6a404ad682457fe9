import type { Incoming, Reply } from "../http";
import { takeRequestSlot } from "../limits";
import type { EmulatorState, PortalState } from "../state";
import { authenticate, takeToken, type RestContext } from "./auth";
import { callMethod } from "./call";
import { CORS_HEADERS, ERR, errorReply, RestError, successReply, timeBlock } from "./envelope";
import { readParams } from "./params";
import { oauthAppInfo } from "./methods/system";
import "./methods/system";
import "./methods/crm-deal";
import "./methods/crm-contact";
import "./methods/events";
import "./methods/options";
import "./batch";

/** `/rest/{method}`, `/rest/{method}/` and `/rest/{method}.json`; method names are case-insensitive. */
export function methodFromPath(path: string): string | null {
  const m = /^\/rest\/([A-Za-z0-9_.]+?)(?:\.json)?\/?$/.exec(path);
  return m?.[1] ? m[1].toLowerCase() : null;
}

function headersFor(state: EmulatorState, startMs: number): Record<string, string> {
  const t = String((state.clock.nowMs() - startMs) / 1000);
  return { "x-bitrix-rest-application": state.app.clientId, "x-bitrix-rest-time": t };
}

export async function handlePortalRest(state: EmulatorState, portal: PortalState, req: Incoming): Promise<Reply> {
  if (req.method === "OPTIONS") return { status: 200, headers: CORS_HEADERS };
  const startMs = state.clock.nowMs();
  const name = methodFromPath(req.path);
  if (!name) return errorReply(ERR.methodNotFound());
  if (!takeRequestSlot(state, portal)) return errorReply(ERR.queryLimit());
  if (portal.deleted) return errorReply(ERR.portalDeleted());
  const params = await readParams(req);
  let ctx: RestContext;
  try {
    ctx = authenticate(state, portal, takeToken(params, req.headers), startMs);
    if (portal.paymentRequired) throw ERR.paymentRequired();
  } catch (e) {
    if (e instanceof RestError) return errorReply(e);
    throw e;
  }
  const outcome = await callMethod(ctx, name, params);
  if (!outcome.ok) return errorReply(outcome.error);
  const body: Record<string, unknown> = { result: outcome.result };
  if (outcome.total !== undefined) body.total = outcome.total;
  if (outcome.next !== undefined) body.next = outcome.next;
  body.time = outcome.time;
  return successReply(body, headersFor(state, startMs));
}

/** The OAuth server's REST endpoint (`server_endpoint`) only answers `app.info`, the trusted token check. */
export async function handleOauthRest(state: EmulatorState, req: Incoming): Promise<Reply> {
  if (req.method === "OPTIONS") return { status: 200, headers: CORS_HEADERS };
  const startMs = state.clock.nowMs();
  const name = methodFromPath(req.path);
  const params = await readParams(req);
  try {
    if (name !== "app.info") throw ERR.methodNotFound();
    const ctx = authenticate(state, null, takeToken(params, req.headers), startMs);
    return successReply({ result: oauthAppInfo(ctx), time: timeBlock(startMs, 0) });
  } catch (e) {
    if (e instanceof RestError) return errorReply(e);
    throw e;
  }
}
