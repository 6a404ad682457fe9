import { randomBytes } from "node:crypto";
import { isB24Error } from "@/lib/errors";
import { log } from "@/lib/log";
import { countRestCall } from "@/lib/metrics";
import { b24Fetch, errorOf, type B24Request, type B24Response } from "./http";

/**
 * One HTTP exchange of the REST client with a portal, handed to a recorder (the REST log, lib/bitrix24/rest-log.ts).
 * `params` are the parameters as the caller gave them: the access token is added to the body at send time and is
 * never part of an exchange.
 */
export interface RestExchange {
  memberId: string;
  requestId: string;
  method: string;
  params: unknown;
  at: Date;
  durationMs: number;
  /** HTTP status, 0 when no answer arrived (timeout, refused connection, unsafe address). */
  status: number;
  /** Parsed answer; undefined when there was none or it was not JSON. */
  body: unknown;
  /** Bitrix24's `error`, `HTTP_<status>` for an error answer without one, or our code when nothing arrived. */
  errorCode: string | null;
}

/** Must return at once: the call it describes is not held up by what happens to the record. */
export type RestRecorder = (exchange: RestExchange) => void;

/**
 * A logical call's id: 16 random hex digits. Each HTTP request of the call (a retry, the repeat after a renewed
 * token) sends `<id>-<n>`, so one grep finds every attempt and each attempt is still its own X-Request-Id.
 */
export function newCallId(): string {
  return randomBytes(8).toString("hex");
}

function errorCodeOf(res: B24Response): string | null {
  const upstream = errorOf(res.body)?.error;
  if (upstream) return upstream;
  return res.status === 200 ? null : `HTTP_${res.status}`;
}

function safely(record: RestRecorder, exchange: RestExchange): void {
  try {
    record(exchange);
  } catch (err) {
    log.warn("b24.rest_log.record_failed", { b24RequestId: exchange.requestId, error: err instanceof Error ? err.name : "unknown" });
  }
}

/** b24Fetch with the request id sent as X-Request-Id and the exchange handed to `record`, whatever the outcome. */
export async function fetchRecorded(
  url: string,
  req: B24Request & { requestId: string },
  call: { memberId: string; method: string; params: unknown },
  record?: RestRecorder,
): Promise<B24Response> {
  const at = new Date();
  const started = performance.now();
  const done = (status: number, body: unknown, errorCode: string | null) => {
    countRestCall(errorCode);
    if (record) safely(record, { ...call, requestId: req.requestId, at, durationMs: Math.round(performance.now() - started), status, body, errorCode });
  };
  try {
    const res = await b24Fetch(url, req);
    done(res.status, res.body, errorCodeOf(res));
    return res;
  } catch (err) {
    done(0, undefined, isB24Error(err) ? err.code : "internal");
    throw err;
  }
}
