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

export const REDACTED = "[redacted]";

export function redactString(s: string): string {
  return s.replace(PAIR, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (typeof value === "string") return redactString(value);
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET.has(k.toLowerCase()) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}
