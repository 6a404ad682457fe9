import { parseQueryString, type Params } from "../form";
import type { RestContext } from "./auth";
import { phpArray } from "./envelope";
import { callMethod } from "./call";
import { param, truthy } from "./params";
import { ok, register } from "./registry";

export const MAX_BATCH = 50;
const WHOLE_REF = /^\$result\[([^\]]+)\]((?:\[[^\]]*\])*)$/;
const INNER_REF = /\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

function lookup(results: Record<string, unknown>, key: string, path: string): unknown {
  let cur: unknown = results[key];
  for (const m of path.matchAll(/\[([^\]]*)\]/g)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[m[1] ?? ""];
  }
  return cur;
}

/**
 * `$result[cmd][field]…` references: a value that is exactly one reference takes the raw value (arrays
 * included); inside a longer string only scalar values are substituted (core processBatchElement).
 */
function substitute(value: unknown, results: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = WHOLE_REF.exec(value);
    if (whole) {
      const found = lookup(results, whole[1] ?? "", whole[2] ?? "");
      return found === undefined ? value : found;
    }
    return value.replace(INNER_REF, (text, key: string, path: string) => {
      const found = lookup(results, key, path);
      return typeof found === "string" || typeof found === "number" || typeof found === "boolean" ? String(found) : text;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

async function batch(ctx: RestContext, p: Params) {
  const halt = truthy(param(p, "halt"));
  const cmd = param(p, "cmd");
  const entries: Array<[string, unknown]> = Array.isArray(cmd)
    ? cmd.map((v, i) => [String(i), v])
    : cmd && typeof cmd === "object" ? Object.entries(cmd) : [];
  const result: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  const totals: Record<string, unknown> = {};
  const nexts: Record<string, unknown> = {};
  const times: Record<string, unknown> = {};
  for (const [i, [key, value]] of entries.entries()) {
    if (i >= MAX_BATCH) {
      errors[key] = { error: "ERROR_BATCH_LENGTH_EXCEEDED", error_description: "Max batch length exceeded" };
      continue;
    }
    const text = String(value);
    const q = text.indexOf("?");
    const method = (q < 0 ? text : text.slice(0, q)).trim().replace(/\.json$/i, "");
    const params = substitute(parseQueryString(q < 0 ? "" : text.slice(q + 1)), result) as Params;
    delete params.auth;
    delete params.access_token;
    const outcome = await callMethod(ctx, method, params, true);
    if (outcome.ok) {
      result[key] = outcome.result;
      if (outcome.total !== undefined) totals[key] = outcome.total;
      if (outcome.next !== undefined) nexts[key] = outcome.next;
      // A sub-call's time block comes from the core's appendDebugInfo alone: the cloud's operating fields are added
      // to the outer response only, so each entry has exactly start/finish/duration/processing/date_start/date_finish.
      const { start, finish, duration, processing, date_start, date_finish } = outcome.time;
      times[key] = { start, finish, duration, processing, date_start, date_finish };
    } else {
      errors[key] = { error: outcome.error.code, error_description: outcome.error.description };
      if (halt) break;
    }
  }
  return ok({
    result: phpArray(result),
    result_error: phpArray(errors),
    result_total: phpArray(totals),
    result_next: phpArray(nexts),
    result_time: phpArray(times),
  });
}

register({ name: "batch", scope: [], uncounted: true, run: batch });
