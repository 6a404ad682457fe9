import "server-only";
import { b24Config, type B24Config } from "../config";
import { B24Error } from "@/lib/errors";
import { checkHost, checkPortalInput, hostErrorText } from "@/lib/http/hosts";
import { sharedLimiter } from "../transport/limiter";
import { requestToken, type B24TokenSet } from "./oauth";
import type { RateLimiter } from "../ports";
import { createB24Client, fixedTokens } from "../transport/client";
import { sharedOperating } from "../transport/operating-shared";
import { restRecorder } from "../rest-log";
import { safeEqual } from "@/lib/safe-equal";
import { bindState, openState } from "./state";
import { defaultServer, matchServer, selectServer } from "./servers";
import { saveConnection } from "../store/connections";

/**
 * The standalone "sign in with Bitrix24" flow, in the order it happens:
 * 1. portalAuthorizeUrl: next-auth sends the browser to /api/b24/authorize with its state; we check the portal (the
 *    typed host keeps the allow-list), pick the OAuth server (the region the person chose, among the configured
 *    ones), and send the browser to that portal's /oauth/authorize/ with that server's client_id and the state bound
 *    to the portal and the server.
 * 2. exchangeCallback: the callback's state, domain and member_id are checked, then the code is exchanged at the
 *    bound configured server with its credentials, and the answer is checked against what the callback claimed.
 * 3. fetchProfile / persistSignIn: the profile comes from the client_endpoint the OAuth server reported; portal,
 *    user and token pair are stored in one transaction.
 */

export function portalAuthorizeUrl(query: URLSearchParams, cfg: B24Config = b24Config()): string {
  const clientId = query.get("client_id");
  const state = query.get("state");
  // next-auth passes its provider's client_id (the default server's); the portal gets the chosen server's below.
  if (!clientId || !safeEqual(clientId, defaultServer(cfg).clientId) || !state || !/^[A-Za-z0-9_-]{16,256}$/.test(state)) {
    throw new B24Error("bad_request", "Start sign-in from the app's home page.");
  }
  const check = checkPortalInput(query.get("portal") ?? "", cfg.hostPolicy);
  if (!check.ok) throw new B24Error("portal_not_allowed", hostErrorText(check.reason, cfg.hostPolicy));
  const server = selectServer(cfg, query.get("server"));
  const url = new URL(`${check.scheme}://${check.host}/oauth/authorize/`);
  // Bitrix24 takes the redirect URI from the app's settings and ignores scope/response_type, so only these two.
  url.searchParams.set("client_id", server.clientId);
  url.searchParams.set("state", bindState(state, { host: check.host, server: server.origin }, cfg.stateKey));
  return url.toString();
}

export interface CallbackParams {
  code?: string;
  state?: string;
  domain?: string;
  member_id?: string;
  /** The OAuth server host Bitrix24 names for the code exchange; only selects among the configured servers. */
  server_domain?: string;
}

/**
 * next-auth v4 does NOT compare the state cookie with the callback's `state` when a provider supplies its own
 * `token.request` (it only decodes the cookie into `checks.state`), so the comparison happens here. Unsafe to remove.
 */
export async function exchangeCallback(params: CallbackParams, cookieState: string | undefined, cfg: B24Config = b24Config()): Promise<B24TokenSet> {
  const bound = params.state ? openState(params.state, cfg.stateKey) : null;
  if (!bound || !cookieState || !safeEqual(bound.state, cookieState)) {
    throw new B24Error("invalid_state", "The sign-in link is invalid or was already used. Start again.");
  }
  const domain = checkHost(params.domain ?? "", undefined, cfg.hostPolicy);
  if (!domain.ok || domain.host !== bound.host) {
    throw new B24Error("portal_mismatch", "Bitrix24 answered for a different portal than the one you chose.");
  }
  if (!params.code || params.code.length > 512 || !params.member_id) {
    throw new B24Error("bad_request", "Bitrix24's answer is missing the authorization code.");
  }
  const boundServer = cfg.servers.find((s) => s.origin === bound.server);
  if (!boundServer) throw new B24Error("invalid_state", "The sign-in link is invalid or was already used. Start again.");
  // The code belongs to the client_id the authorize URL carried, so only a server registered with that same client
  // (a region sharing the registration) may be picked by the callback's server_domain; otherwise the bound one.
  const hinted = matchServer(cfg, params.server_domain);
  const server = hinted && hinted.clientId === boundServer.clientId ? hinted : boundServer;
  const tokens = await requestToken({ grant: "authorization_code", code: params.code }, cfg, server);
  if (!safeEqual(tokens.memberId, params.member_id) || tokens.portalHost !== bound.host) {
    throw new B24Error("portal_mismatch", "The OAuth server issued tokens for a different portal than the one you chose.");
  }
  return tokens;
}

export interface B24Profile {
  memberId: string;
  portalHost: string;
  bitrixUserId: number;
  name: string;
  email: string | null;
  isAdmin: boolean;
}

type ProfileTokens = Pick<B24TokenSet, "accessToken" | "memberId" | "clientEndpoint" | "portalHost" | "bitrixUserId">;

interface ProfileResult {
  ID?: string | number;
  NAME?: string;
  LAST_NAME?: string;
  ADMIN?: boolean;
}
interface UserResult {
  EMAIL?: string;
}

/**
 * The profile read goes through the one REST client, with the just-issued token as a fixed token source (nothing
 * to refresh or store yet), so it takes a slot in the portal's bucket like every other request: a wave of sign-ins
 * must not overrun it.
 */
export async function fetchProfile(tokens: ProfileTokens, limiter: RateLimiter = sharedLimiter()): Promise<B24Profile> {
  const creds = { clientEndpoint: tokens.clientEndpoint, accessToken: tokens.accessToken };
  const client = createB24Client({ memberId: tokens.memberId, tokens: fixedTokens(creds), limiter, operating: sharedOperating(), record: restRecorder(tokens.bitrixUserId) });
  const out = await client.batch({ profile: "profile", user: "user.current" });
  const result = { result: out.result as { profile?: ProfileResult; user?: UserResult } };
  const profile = result.result?.profile;
  const id = Number(profile?.ID);
  if (!profile || !Number.isInteger(id) || id <= 0) throw new B24Error("invalid_token_response", "Bitrix24 did not return your profile.");
  if (tokens.bitrixUserId !== null && tokens.bitrixUserId !== id) {
    throw new B24Error("portal_mismatch", "The profile does not belong to the token's user.");
  }
  const email = result.result?.user?.EMAIL;
  return {
    memberId: tokens.memberId,
    portalHost: tokens.portalHost,
    bitrixUserId: id,
    name: [profile.NAME, profile.LAST_NAME].filter(Boolean).join(" ").trim().slice(0, 200) || `User ${id}`,
    email: typeof email === "string" && email.includes("@") ? email.slice(0, 320) : null,
    isAdmin: profile.ADMIN === true,
  };
}

/**
 * A sign-in creates the portal (signed in, not installed) or lifts a block: the OAuth server just issued a pair and
 * the portal answered the profile read. It never revives an uninstalled portal (lifecycle/states.ts): that is refused
 * with `portal_uninstalled` and nothing is stored.
 */
export async function persistSignIn(tokens: B24TokenSet, profile: B24Profile, cfg: B24Config = b24Config()): Promise<void> {
  await saveConnection(
    {
      memberId: tokens.memberId,
      vouched: tokens,
      event: "sign_in",
      user: { bitrixUserId: profile.bitrixUserId, profile: { name: profile.name, email: profile.email, isAdmin: profile.isAdmin } },
      pair: { kind: "user", accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt },
    },
    cfg,
  );
}
