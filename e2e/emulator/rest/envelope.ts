import { isoSec } from "../clock";
import { json, type Reply } from "../http";

/** Thrown by methods; the dispatcher turns it into the documented `{error, error_description}` body. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
  }
}

export const ERR = {
  noAuth: () => new RestError(401, "NO_AUTH_FOUND", "Wrong authorization data"),
  invalidToken: () => new RestError(401, "invalid_token", "Unable to get application by token"),
  expiredToken: () => new RestError(401, "expired_token", "The access token provided has expired"),
  scope: () =>
    new RestError(401, "insufficient_scope", "The request requires higher privileges than provided by the access token"),
  methodNotFound: () => new RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"),
  accessDenied: (suffix = "") => new RestError(403, "ACCESS_DENIED", `Access denied!${suffix ? ` ${suffix}` : ""}`),
  paymentRequired: () => new RestError(401, "PAYMENT_REQUIRED", "Payment required"),
  portalDeleted: () => new RestError(403, "PORTAL_DELETED", "Portal was deleted"),
  queryLimit: () => new RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
  operatingLimit: () => new RestError(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."),
  handlerExists: () => new RestError(400, "ERROR_CORE", "Handler already binded"),
  wrongAuthType: () =>
    new RestError(403, "WRONG_AUTH_TYPE", "Current authorization type is denied for this method Application context required"),
  invalidCredentials: () => new RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials"),
  argument: (name: string) =>
    new RestError(400, "ERROR_ARGUMENT", `Argument '${name}' is null or empty`, { argument: name }),
};

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "origin, content-type, accept, authorization",
};

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export function timeBlock(startMs: number, costMs: number, operating?: { operating: number; resetAt: number }): TimeBlock {
  const finishMs = startMs + costMs;
  const t: TimeBlock = {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: costMs / 1000,
    processing: costMs / 1000,
    date_start: isoSec(startMs),
    date_finish: isoSec(finishMs),
  };
  if (operating) {
    t.operating_reset_at = operating.resetAt;
    t.operating = operating.operating;
  }
  return t;
}

export function errorBody(e: RestError): Record<string, unknown> {
  return { error: e.code, error_description: e.description, ...e.extra };
}

export function errorReply(e: RestError, headers: Record<string, string> = {}): Reply {
  return json(e.status, errorBody(e), { ...CORS_HEADERS, ...headers });
}

export function successReply(body: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  return json(200, body, { ...CORS_HEADERS, ...headers });
}

/** PHP's json_encode turns 0..n-1 keyed arrays into JSON arrays and empty arrays into `[]`. */
export function phpArray(obj: Record<string, unknown>): unknown {
  const keys = Object.keys(obj);
  if (keys.length === 0) return [];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
  return obj;
}
