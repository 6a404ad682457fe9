/**
 * Portal host validation, two policies:
 * - a host a PERSON or a request names (the typed portal, the callback's `domain`) must match the allow-list
 *   (B24_PORTAL_HOSTS, cloud domains by default): checkPortalInput / checkHost;
 * - a host the pinned OAuth server VOUCHED for (client_endpoint of a token answer or of its app.info) may be any
 *   public DNS name, e.g. a self-hosted Bitrix24: checkVouchedEndpoint / checkVouchedHost. That it resolves only to
 *   public addresses is enforced when connecting (lib/http/safe-lookup.ts), where rebinding cannot slip past.
 * Pure functions (no server-only import) so the landing form can share the normalisation rules.
 */
import englishLanding from "@/lib/i18n/messages/en/landing.json";

/** Bitrix24's cloud portal hosts: one label under bitrix24.<tld>. Override with B24_PORTAL_HOSTS. */
export const DEFAULT_PORTAL_HOSTS =
  "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.bitrix24\\.(?:com|de|eu|es|fr|it|pl|uk|ru|by|kz|ua|uz|in|jp|cn|vn|id|co|mx|com\\.br|com\\.tr)$";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return LOOPBACK.has(name.toLowerCase());
}

export interface HostPolicy {
  /** Regular expression source matched against the whole `host[:port]`, lower-case. */
  portalHosts: string;
  /** Plain http:// is acceptable, but only for loopback hosts (tests, the emulator, the demo). */
  allowHttpLoopback: boolean;
}

export type HostCheck =
  | { ok: true; host: string; scheme: "https" | "http" }
  | { ok: false; reason: "empty" | "malformed" | "not_allowed" | "ip_address" | "insecure" };

/**
 * Turns what a person typed ("Acme.bitrix24.com", "https://acme.bitrix24.com/crm/") into a checked host.
 * Userinfo, query, fragment, IP literals outside loopback, and anything the accepted-host pattern does not
 * match are refused.
 */
export function checkPortalInput(input: string, policy: HostPolicy): HostCheck {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, reason: "empty" };
  if (trimmed.length > 253) return { ok: false, reason: "malformed" };
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (url.username || url.password || url.search || url.hash || trimmed.includes("@")) return { ok: false, reason: "malformed" };
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "malformed" };
  if (url.pathname !== "/" && url.pathname.length > 1 && !hasScheme) return { ok: false, reason: "malformed" };
  return checkHost(url.host, url.protocol === "http:" ? "http" : undefined, policy);
}

/** Checks an already-split host (e.g. the callback's `domain`). */
export function checkHost(rawHost: string, requestedScheme: "http" | "https" | undefined, policy: HostPolicy): HostCheck {
  const host = rawHost.toLowerCase().replace(/\.$/, "");
  if (!/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host)) return { ok: false, reason: "malformed" };
  if (!new RegExp(policy.portalHosts).test(host)) return { ok: false, reason: "not_allowed" };
  const loopback = isLoopbackHost(host);
  if (!loopback && /^\d+\.\d+\.\d+\.\d+(:\d+)?$|^\[/.test(host)) return { ok: false, reason: "ip_address" };
  const scheme = loopback && policy.allowHttpLoopback ? "http" : "https";
  if (requestedScheme === "http" && scheme !== "http") return { ok: false, reason: "insecure" };
  return { ok: true, host, scheme };
}

/** A DNS name of at least two labels (no IP literal: those skip the connect-time lookup), lower-case. */
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A host the pinned OAuth server reported for a portal it vouched for. Accepted: an allow-listed host (checkHost),
 * or any DNS name over https on the default port (a self-hosted portal; a non-default port needs B24_PORTAL_HOSTS),
 * or loopback over http under the test opt-in. Refused: IP literals, userinfo, odd ports, single-label names.
 */
export function checkVouchedHost(rawHost: string, policy: HostPolicy): HostCheck {
  const allowed = checkHost(rawHost, undefined, policy);
  if (allowed.ok || allowed.reason !== "not_allowed") return allowed;
  const host = rawHost.toLowerCase().replace(/\.$/, "");
  if (isLoopbackHost(host)) {
    return policy.allowHttpLoopback && /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/.test(host) ? { ok: true, host, scheme: "http" } : { ok: false, reason: "not_allowed" };
  }
  if (/^\d+\.\d+\.\d+\.\d+$|^\[/.test(host)) return { ok: false, reason: "ip_address" };
  return DNS_NAME.test(host) ? { ok: true, host, scheme: "https" } : { ok: false, reason: "not_allowed" };
}

/**
 * An endpoint URL we will send a token to, as the pinned OAuth server reported it (client_endpoint) for the portal it
 * vouched for: https (http only on loopback under the opt-in), no userinfo/query/fragment, path /rest/, host judged
 * by checkVouchedHost. Returns the normalised URL or null.
 */
export function checkVouchedEndpoint(raw: unknown, policy: HostPolicy): string | null {
  const url = parseEndpoint(raw);
  if (!url) return null;
  const check = checkVouchedHost(url.host, policy);
  return check.ok && `${check.scheme}:` === url.protocol ? url.toString() : null;
}

function parseEndpoint(raw: unknown): URL | null {
  if (typeof raw !== "string" || raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  return /^\/rest\/$/.test(url.pathname) ? url : null;
}

export type HostRefusal = Exclude<HostCheck, { ok: true }>["reason"];

/**
 * What a person is told, as a landing.hostError message, naming the rule that refused the host: the cloud list, or
 * the operator's own pattern.
 */
export type HostErrorKey = "empty" | "malformed" | "ip_address" | "insecure" | "not_allowed_cloud" | "not_allowed_pattern";
export interface HostError {
  key: HostErrorKey;
  /** The operator's B24_PORTAL_HOSTS, for not_allowed_pattern. */
  pattern?: string;
}

export function hostError(reason: HostRefusal, policy: HostPolicy): HostError {
  if (reason !== "not_allowed") return { key: reason };
  return policy.portalHosts === DEFAULT_PORTAL_HOSTS ? { key: "not_allowed_cloud" } : { key: "not_allowed_pattern", pattern: policy.portalHosts };
}

const ENGLISH: Record<HostErrorKey, string> = englishLanding.hostError;

/** The same in English, for an error's message (sign-in's JSON and logs): the landing page's own words. */
export function hostErrorText(reason: HostRefusal, policy: HostPolicy): string {
  const { key, pattern = "" } = hostError(reason, policy);
  return ENGLISH[key].replace(/<\/?code>/g, "").replace("{pattern}", () => pattern);
}
