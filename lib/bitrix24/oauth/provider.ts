import type { OAuthConfig } from "next-auth/providers/oauth";
import type { B24Config } from "../config";
import type { B24TokenSet } from "./oauth";
import { exchangeCallback, fetchProfile, type B24Profile } from "./sign-in";
import { defaultServer } from "./servers";

/**
 * next-auth v4 provider for Bitrix24. Bitrix24's quirks, each handled here and nowhere else:
 * - the authorize endpoint lives on each portal, so next-auth is pointed at our own /api/b24/authorize, which
 *   validates the portal and forwards the browser (sign-in.ts `portalAuthorizeUrl`);
 * - the token answer has no token_type, its `domain` is the OAuth server, not the portal, and it must be checked
 *   against the callback (`exchangeCallback`);
 * - the profile comes from the portal REST address the OAuth server reported (`fetchProfile`).
 */
export const PROVIDER_ID = "bitrix24";

/** Fields carried from the token request to the signIn callback inside next-auth's `account`. */
type AccountTokens = {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  token_type: string;
  scope: string;
  member_id: string;
  client_endpoint: string;
  portal_host: string;
  app_status: string | null;
  user_id: number | null;
  oauth_server: string;
};

export function toAccountTokens(t: B24TokenSet): AccountTokens {
  return {
    access_token: t.accessToken,
    refresh_token: t.refreshToken,
    expires_at: Math.floor(t.expiresAt.getTime() / 1000),
    token_type: "bearer",
    scope: t.scope,
    member_id: t.memberId,
    client_endpoint: t.clientEndpoint,
    portal_host: t.portalHost,
    app_status: t.appStatus,
    user_id: t.bitrixUserId,
    oauth_server: t.oauthServer,
  };
}

export function fromAccountTokens(a: Record<string, unknown>): B24TokenSet {
  const str = (k: keyof AccountTokens) => (typeof a[k] === "string" && a[k] ? (a[k] as string) : null);
  const accessToken = str("access_token");
  const refreshToken = str("refresh_token");
  const memberId = str("member_id");
  const clientEndpoint = str("client_endpoint");
  const portalHost = str("portal_host");
  const oauthServer = str("oauth_server");
  if (!accessToken || !refreshToken || !memberId || !clientEndpoint || !portalHost || !oauthServer || typeof a.expires_at !== "number") {
    throw new TypeError("incomplete Bitrix24 token set");
  }
  return {
    accessToken,
    refreshToken,
    expiresAt: new Date(a.expires_at * 1000),
    memberId,
    clientEndpoint,
    portalHost,
    scope: str("scope") ?? "",
    appStatus: str("app_status"),
    bitrixUserId: typeof a.user_id === "number" ? a.user_id : null,
    oauthServer,
  };
}

/**
 * `callbackQuery` is the raw query of the callback request. It is needed because next-auth hands `token.request`
 * only the OAuth-standard callback parameters (openid-client drops `domain` and `member_id`).
 */
export function bitrix24Provider(cfg: B24Config, appUrl: string, callbackQuery?: URLSearchParams): OAuthConfig<B24Profile> {
  // next-auth knows one client; our authorize route swaps in the chosen region's client_id (sign-in.ts).
  const server = defaultServer(cfg);
  return {
    id: PROVIDER_ID,
    name: "Bitrix24",
    type: "oauth",
    // Never "none": Bitrix24 documents no PKCE, so state is the only CSRF defence of the callback.
    checks: ["state"],
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    client: { token_endpoint_auth_method: "client_secret_post" },
    authorization: { url: `${appUrl.replace(/\/+$/, "")}/api/b24/authorize`, params: { scope: "" } },
    token: {
      url: `${server.origin}/oauth/token/`,
      async request({ params, checks }) {
        const q = (k: string) => callbackQuery?.get(k) ?? undefined;
        const claimed = { code: params.code, state: params.state, domain: q("domain"), member_id: q("member_id"), server_domain: q("server_domain") };
        const tokens = await exchangeCallback(claimed, checks.state, cfg);
        return { tokens: toAccountTokens(tokens) };
      },
    },
    userinfo: {
      url: `${server.origin}/rest/`,
      async request({ tokens }) {
        return fetchProfile(fromAccountTokens(tokens)) as unknown as Promise<Record<string, unknown>>;
      },
    },
    profile(profile) {
      return { id: `${profile.memberId}:${profile.bitrixUserId}`, name: profile.name, email: profile.email };
    },
  };
}
