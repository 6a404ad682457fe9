import { checkVouchedHost, type HostPolicy } from "@/lib/http/hosts";

/**
 * Who may frame our pages. Only the signed-in person's own portal (the Bitrix24 page that hosts the app's iframe);
 * everything else, including pages without a session, refuses to be framed. This replaces X-Frame-Options, which
 * cannot name an allowed parent. Pure functions: proxy.ts and the frame handlers share them.
 */
export const CSP_HEADER = "content-security-policy";

/** The portal's origin for a stored (OAuth-server-vouched) host: https, or http for loopback under the test opt-in. */
export function portalOrigin(host: string | null | undefined, policy: HostPolicy): string | null {
  if (!host) return null;
  const check = checkVouchedHost(host, policy);
  return check.ok ? `${check.scheme}://${check.host}` : null;
}

export function frameAncestors(origin: string | null): string {
  return `frame-ancestors ${origin ?? "'none'"}`;
}
