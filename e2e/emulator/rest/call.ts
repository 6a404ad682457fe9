import type { Params } from "../form";
import { methodCostMs, operatingBlocked, operatingStatus, recordOperating } from "../limits";
import type { RestContext } from "./auth";
import { ERR, RestError, timeBlock, type TimeBlock } from "./envelope";
import { findMethod } from "./registry";

export type CallOutcome =
  | { ok: true; result: unknown; total?: number; next?: number; time: TimeBlock }
  | { ok: false; error: RestError };

/**
 * One method call with the checks the core runs before it: existence, scope, admin rights, then the operating
 * budget of this method. Shared by plain calls and batch sub-calls.
 */
export async function callMethod(ctx: RestContext, name: string, params: Params, inBatch = false): Promise<CallOutcome> {
  const def = findMethod(name);
  if (!def) return { ok: false, error: ERR.methodNotFound() };
  if (inBatch && def.name === "batch") {
    return { ok: false, error: new RestError(405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage") };
  }
  if (def.scope.length > 0 && !def.scope.some((s) => ctx.scope.has(s))) {
    // Batch sub-calls report this error with an empty description (core CRestServerBatchItem).
    return { ok: false, error: inBatch ? new RestError(401, "insufficient_scope", "") : ERR.scope() };
  }
  if (def.appOnly && ctx.authType !== "oauth") {
    return { ok: false, error: def.appOnly === "WRONG_AUTH_TYPE" ? ERR.wrongAuthType() : ERR.accessDenied("Application context required") };
  }
  if (def.admin !== undefined && !ctx.user.admin) return { ok: false, error: ERR.accessDenied(def.admin) };
  const { state, portal } = ctx;
  if (!def.uncounted && operatingBlocked(state, portal, def.name)) return { ok: false, error: ERR.operatingLimit() };
  const cost = def.uncounted ? 0 : methodCostMs(state, def.name, params);
  const startMs = state.clock.nowMs();
  try {
    const r = await def.run(ctx, params);
    if (!def.uncounted) recordOperating(state, portal, def.name, cost);
    const time = timeBlock(startMs, cost, operatingStatus(state, portal, def.name));
    return { ok: true, result: r.result, time, ...(r.total !== undefined ? { total: r.total } : {}), ...(r.next !== undefined ? { next: r.next } : {}) };
  } catch (e) {
    if (!def.uncounted) recordOperating(state, portal, def.name, cost);
    if (e instanceof RestError) return { ok: false, error: e };
    throw e;
  }
}
