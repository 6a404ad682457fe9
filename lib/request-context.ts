import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { processLocal } from "@/lib/process-local";

/**
 * The id of the request being handled, for every log line written while handling it (lib/log.ts reads it). A load
 * balancer's X-Request-Id is kept when well formed, so one id follows a request from the balancer's log into ours;
 * anything else (too long, a character a log parser or header could choke on) is replaced, never echoed.
 */
export const REQUEST_ID_HEADER = "x-request-id";
const WELL_FORMED = /^[A-Za-z0-9._-]{1,64}$/;

interface RequestContext {
  requestId: string;
}

// Process-wide: a route's bundle and the bundle holding lib/log.ts must see the same storage.
const storage = processLocal("requestContext", () => new AsyncLocalStorage<RequestContext>());

export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && WELL_FORMED.test(incoming) ? incoming : randomBytes(8).toString("hex");
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** Runs `fn` with no request context: shared background work a request merely started is not that request's. */
export function outsideRequest<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Headers of Response.redirect() and Response.error() are immutable; such an answer is copied to carry the id. */
function withHeader(res: Response, requestId: string): Response {
  try {
    res.headers.set(REQUEST_ID_HEADER, requestId);
    return res;
  } catch {
    const copy = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/**
 * Wraps a route handler: the request gets its id, the handler runs inside the context, the answer names the id.
 * Further arguments (a dynamic segment's `{ params }`) are passed through untouched.
 */
export function withRequestId<A extends unknown[]>(handler: (req: Request, ...rest: A) => Response | Promise<Response>) {
  return async (req: Request, ...rest: A): Promise<Response> => {
    const requestId = requestIdFrom(req.headers.get(REQUEST_ID_HEADER));
    return withHeader(await runWithRequestId(requestId, () => handler(req, ...rest)), requestId);
  };
}
