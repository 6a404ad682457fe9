import "server-only";
import { appTokenMatches } from "../tokens/app-token";
import type { B24Config } from "../config";
import { B24Error } from "@/lib/errors";
import { checkHost, checkVouchedHost } from "@/lib/http/hosts";
import { fetchProfile, type B24Profile } from "../oauth/sign-in";
import { safeEqual } from "@/lib/safe-equal";
import { verifyAccessToken, type VerifiedToken } from "../oauth/verify";
import { selectServer } from "../oauth/servers";
import { readLimited } from "./form";

/**
 * The portal's form POST to the app and install URLs (https://apidocs.bitrix24.com/settings/oauth/simple-way.html), read and then checked. Anyone
 * can forge this POST, so every field is untrusted: AUTH_ID becomes trusted only when a configured Bitrix24 OAuth
 * server (the posted SERVER_ENDPOINT may only select which, never add one) says whose it is, and the posted DOMAIN
 * and member_id must then name that same portal.
 */
export const MAX_FRAME_BODY_BYTES = 32 * 1024;
/** Keys whose duplicates would make "which one wins?" a question an attacker gets to answer (https://apidocs.bitrix24.com/settings/oauth/index.html). */
const SINGLE_KEYS = ["AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "member_id", "APPLICATION_TOKEN", "DOMAIN", "APP_SID", "SERVER_ENDPOINT"];
const DEFAULT_EXPIRES_SEC = 3600;

export interface FramePost {
  /** From the query string, as the portal appends it to the configured URL. */
  domain: string;
  protocol: string;
  lang: string;
  /** Per-render id the frame bridge needs; null when absent or malformed. */
  appSid: string | null;
  authId: string;
  authExpiresSec: number;
  refreshId: string;
  memberId: string;
  applicationToken: string | null;
  placement: string;
  placementOptions: string;
  status: string;
  /** SERVER_ENDPOINT: only a hint selecting among the configured OAuth servers (oauth/servers.ts). */
  serverEndpoint: string;
  /** The request's Origin header (the portal page that submitted the form). */
  origin: string | null;
}

function single(params: URLSearchParams, key: string): string {
  const all = params.getAll(key);
  if (all.length > 1 && SINGLE_KEYS.includes(key)) throw new B24Error("bad_request", `The field ${key} was sent more than once.`);
  return (all[0] ?? "").slice(0, 4096);
}

export async function readFramePost(req: Request): Promise<FramePost> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) throw new B24Error("bad_request", "Open the app from your Bitrix24.");
  const body = new URLSearchParams(Buffer.from(await readLimited(req, MAX_FRAME_BODY_BYTES)).toString("utf8"));
  const query = new URL(req.url).searchParams;
  const expires = Number(single(body, "AUTH_EXPIRES"));
  const sid = single(query, "APP_SID");
  return {
    domain: single(query, "DOMAIN"),
    protocol: single(query, "PROTOCOL"),
    lang: single(query, "LANG").slice(0, 8),
    appSid: /^[A-Za-z0-9]{1,64}$/.test(sid) ? sid : null,
    authId: single(body, "AUTH_ID"),
    authExpiresSec: Number.isInteger(expires) && expires > 0 && expires <= 86_400 ? expires : DEFAULT_EXPIRES_SEC,
    refreshId: single(body, "REFRESH_ID"),
    memberId: single(body, "member_id"),
    applicationToken: single(body, "APPLICATION_TOKEN") || null,
    placement: single(body, "PLACEMENT") || "DEFAULT",
    placementOptions: single(body, "PLACEMENT_OPTIONS"),
    status: single(body, "status"),
    serverEndpoint: single(body, "SERVER_ENDPOINT"),
    origin: req.headers.get("origin"),
  };
}

/**
 * The origin the posted DOMAIN would have if it is an allow-listed portal host; used only to frame error pages that
 * come before verification. Unverified, a self-hosted DOMAIN gets frame-ancestors 'none' for such an error.
 */
export function claimedOrigin(post: Pick<FramePost, "domain">, cfg: B24Config): string | null {
  const check = checkHost(post.domain, undefined, cfg.hostPolicy);
  return check.ok ? `${check.scheme}://${check.host}` : null;
}

export interface FrameIdentity {
  verified: VerifiedToken;
  /** Read from the verified client_endpoint with the verified token. */
  profile: B24Profile;
  /** The verified portal's origin: the only page allowed to frame our answers. */
  portalOrigin: string;
}

const notFromPortal = () => new B24Error("forbidden", "This request does not come from the Bitrix24 portal it names. Open the app from your Bitrix24.");

export async function authenticateFrame(post: FramePost, cfg: B24Config): Promise<FrameIdentity> {
  if (!post.authId || !post.memberId || !post.domain) throw new B24Error("unauthenticated", "Open the app from your Bitrix24.");
  // Verify first, then compare: a self-hosted portal's DOMAIN is outside the allow-list, and only the OAuth server's
  // answer makes it acceptable (the posted DOMAIN must then name the very host it vouched for).
  const verified = await verifyAccessToken(post.authId, cfg, selectServer(cfg, post.serverEndpoint));
  const posted = checkVouchedHost(post.domain, cfg.hostPolicy);
  if (!safeEqual(verified.memberId, post.memberId) || !posted.ok || posted.host !== verified.portalHost) throw notFromPortal();
  const portalOrigin = new URL(verified.clientEndpoint).origin;
  // A form submitted by another site is login-CSRF even with a genuine token. "null" is tolerated: a portal page
  // with Referrer-Policy no-referrer sends it for cross-origin POSTs.
  if (post.origin && post.origin !== "null" && post.origin !== portalOrigin) throw notFromPortal();
  const profile = await fetchProfile({
    accessToken: post.authId,
    memberId: verified.memberId,
    clientEndpoint: verified.clientEndpoint,
    portalHost: verified.portalHost,
    bitrixUserId: verified.bitrixUserId,
  });
  return { verified, profile, portalOrigin };
}

/** A posted APPLICATION_TOKEN must equal the stored one (constant time); absence on either side is not a match failure. */
export function checkAppToken(memberId: string, stored: string | null | undefined, posted: string | null, cfg: B24Config): void {
  if (!stored || !posted) return;
  if (!appTokenMatches(memberId, stored, posted, cfg.ring)) {
    throw new B24Error("forbidden", "The application token does not match this portal's installation. Reinstall the app from Bitrix24.");
  }
}
