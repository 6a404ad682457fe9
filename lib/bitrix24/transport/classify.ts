import type { B24ErrorCode } from "@/lib/errors";

/**
 * The one place that maps Bitrix24's own error codes to the app's (lib/errors.ts maps those to HTTP). REST answers,
 * batch sub-command errors and the OAuth server's answers all come through here, so `ERROR_METHOD_NOT_FOUND` means
 * the same from `call()` as from a `listAll` sub-command. Codes: https://apidocs.bitrix24.com/api-reference/common/system/error-codes.html
 */
const REST_CODES: ReadonlyMap<string, B24ErrorCode> = new Map(Object.entries({
  expired_token: "needs_reauth",
  invalid_token: "needs_reauth",
  NO_AUTH_FOUND: "needs_reauth",
  authorization_error: "needs_reauth",
  APPLICATION_NOT_FOUND: "needs_reauth",
  PAYMENT_REQUIRED: "payment_required",
  PORTAL_DELETED: "portal_blocked",
  QUERY_LIMIT_EXCEEDED: "rate_limited",
  OPERATION_TIME_LIMIT: "rate_limited",
  OVERLOAD_LIMIT: "upstream_unavailable",
  insufficient_scope: "forbidden",
  ACCESS_DENIED: "forbidden",
  WRONG_AUTH_TYPE: "forbidden",
  METHOD_CONFIRM_WAITING: "forbidden",
  METHOD_CONFIRM_DENIED: "forbidden",
  user_access_error: "forbidden",
  allowed_only_intranet_user: "forbidden",
  ERROR_METHOD_NOT_FOUND: "not_found",
} satisfies Record<string, B24ErrorCode>));

/** The OAuth server's `error` values (case-insensitive there). */
const OAUTH_CODES: ReadonlyMap<string, B24ErrorCode> = new Map(Object.entries({
  invalid_grant: "invalid_grant",
  bad_verification_code: "invalid_grant",
  wrong_client: "oauth_client_rejected",
  invalid_client: "oauth_client_rejected",
  payment_required: "payment_required",
  not_installed: "needs_reauth",
} satisfies Record<string, B24ErrorCode>));

/** A REST error. `httpStatus` is absent for a batch sub-command, whose own status Bitrix24 does not report. */
export function classifyRest(upstream: string, httpStatus?: number): B24ErrorCode {
  const known = REST_CODES.get(upstream);
  if (known) return known;
  return httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 200) ? "upstream_unavailable" : "rest_error";
}

/** An error from the OAuth server (token endpoint or its app.info); unknown ones mean the answer is unusable. */
export function classifyOAuth(upstream: string): B24ErrorCode {
  return OAUTH_CODES.get(upstream.toLowerCase()) ?? "invalid_token_response";
}

/** Bitrix24 refused the whole portal: recorded so later calls fail fast. ACCESS_DENIED counts only with HTTP 401. */
export function blocksPortal(upstream: string, httpStatus: number): boolean {
  return upstream === "PAYMENT_REQUIRED" || upstream === "PORTAL_DELETED" || (upstream === "ACCESS_DENIED" && httpStatus === 401);
}
