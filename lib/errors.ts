import { isDatabaseUnavailable } from "./db-errors";

/**
 * The one error type of the Bitrix24 layer. Codes form a closed union; `httpStatus` is the only place that maps
 * them to HTTP, and `toErrorBody` the only place that decides what a client may see (never upstream bodies,
 * tokens or stack traces).
 */
export type B24ErrorCode =
  | "bad_request"
  | "payload_too_large"
  | "unauthenticated"
  | "forbidden"
  | "portal_not_allowed"
  | "invalid_state"
  | "portal_mismatch"
  | "invalid_token_response"
  | "oauth_client_rejected"
  | "oauth_unavailable"
  | "invalid_grant"
  | "needs_reauth"
  | "payment_required"
  | "portal_blocked"
  | "portal_uninstalled"
  | "method_not_allowed"
  | "rest_error"
  | "rate_limited"
  | "upstream_unavailable"
  | "not_found"
  | "service_unavailable"
  | "internal";

const STATUS: Record<B24ErrorCode, number> = {
  bad_request: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  portal_not_allowed: 400,
  invalid_state: 400,
  portal_mismatch: 400,
  invalid_token_response: 502,
  oauth_client_rejected: 502,
  oauth_unavailable: 503,
  invalid_grant: 401,
  needs_reauth: 401,
  payment_required: 402,
  portal_blocked: 403,
  portal_uninstalled: 410,
  method_not_allowed: 403,
  rest_error: 400,
  rate_limited: 503,
  upstream_unavailable: 503,
  not_found: 404,
  service_unavailable: 503,
  internal: 500,
};

export class B24Error extends Error {
  readonly code: B24ErrorCode;
  /** Bitrix24's own error code (e.g. QUERY_LIMIT_EXCEEDED), safe to show: it never contains secrets. */
  readonly upstream?: string;
  /** Upstream HTTP status, for retry decisions; not shown to clients. */
  readonly upstreamStatus?: number;
  readonly retryAfterSec?: number;

  constructor(
    code: B24ErrorCode,
    message: string,
    extra: { upstream?: string; upstreamStatus?: number; retryAfterSec?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "B24Error";
    this.code = code;
    this.upstream = extra.upstream;
    this.upstreamStatus = extra.upstreamStatus;
    this.retryAfterSec = extra.retryAfterSec;
  }
}

export function httpStatus(code: B24ErrorCode): number {
  return STATUS[code];
}

export function isB24Error(err: unknown): err is B24Error {
  return err instanceof B24Error;
}

/** The JSON body a client may see for an error. Unknown errors become a generic `internal`. */
export function toErrorBody(err: unknown): { status: number; body: { error: B24ErrorCode; message: string; upstream?: string } } {
  if (isDatabaseUnavailable(err)) return { status: 503, body: { error: "service_unavailable", message: "The app is briefly unavailable. Try again in a minute." } };
  if (!isB24Error(err)) return { status: 500, body: { error: "internal", message: "Something went wrong. Try again later." } };
  const body: { error: B24ErrorCode; message: string; upstream?: string } = { error: err.code, message: err.message };
  if (err.upstream) body.upstream = err.upstream;
  return { status: httpStatus(err.code), body };
}
