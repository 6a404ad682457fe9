/**
 * The one redaction list. Everything that is logged or put into an error passes through here.
 * Key names are matched case-insensitively anywhere in a structure; strings are scrubbed of `key=value`
 * pairs (URLs, form bodies) for the same keys. Unsafe to shorten: each name is a credential somewhere in
 * Bitrix24's protocol (AUTH_ID/REFRESH_ID in frame posts, auth[...] in events, code/state in callbacks).
 */
export const SECRET_KEYS = [
  "access_token",
  "refresh_token",
  "accesstoken",
  "refreshtoken",
  "client_secret",
  "clientsecret",
  "application_token",
  "applicationtoken",
  "auth_id",
  "refresh_id",
  "auth",
  "code",
  "state",
  "password",
  "authorization",
  "cookie",
  "set-cookie",
  "id_token",
  "token",
  "secret",
] as const;

const SECRET = new Set<string>(SECRET_KEYS);
const PAIR = new RegExp(`((?:^|[?&\\s"'\\[])(?:${SECRET_KEYS.join("|")})\\]?=)[^&\\s"']+`, "gi");
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/-]+=*/gi;
// The same keys as JSON text inside a string (an option value or error text holding serialised JSON).
const JSON_PAIR = new RegExp(`("(?:${SECRET_KEYS.join("|")})"\\s*:\\s*)(?:"(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`, "gi");

export const REDACTED = "[redacted]";

/**
 * `code` is an authorization code in an OAuth callback and an error code everywhere else (`invalid_grant`,
 * `QUERY_LIMIT_EXCEEDED`, our own `needs_reauth`). Operators need the second, so a `code` field keeps a value shaped
 * like an error identifier: one case, letters first, words joined by `_`, short. Bitrix24's authorization codes are
 * long lowercase hex runs with digits, so they never take this shape and stay redacted.
 */
const DIAGNOSTIC_CODE = /^(?:[a-z]+(?:_[a-z0-9]+)*|[A-Z]+(?:_[A-Z0-9]+)*)$/;

function keepsDiagnostic(key: string, value: unknown): boolean {
  return key === "code" && typeof value === "string" && value.length <= 48 && DIAGNOSTIC_CODE.test(value);
}

export function redactString(s: string): string {
  return s.replace(PAIR, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`).replace(JSON_PAIR, `$1"${REDACTED}"`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (typeof value === "string") return redactString(value);
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.toLowerCase();
      out[k] = SECRET.has(key) && !keepsDiagnostic(key, v) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}
