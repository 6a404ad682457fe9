import { z } from "zod";
import type { B24Config, OAuthServer } from "../config";
import { B24Error, type B24ErrorCode } from "@/lib/errors";
import { classifyOAuth } from "../transport/classify";
import { checkVouchedEndpoint } from "@/lib/http/hosts";
import { b24Fetch, errorOf, type B24Response } from "../transport/http";

/**
 * Bitrix24's token endpoint, read top-down: request builder → response checker → typed result.
 * Docs show GET with the secret in the query; we POST a form body instead (accepted by the OAuth server, see
 * https://apidocs.bitrix24.com/settings/oauth/index.html) so client_secret, codes and refresh tokens never land in access logs.
 */
export type TokenGrant =
  | { grant: "authorization_code"; code: string }
  | { grant: "refresh_token"; refreshToken: string };

/**
 * A token pair as vouched for by the OAuth server. `portalHost` is derived from `clientEndpoint`; `oauthServer` is the
 * origin of the configured server this app called (never the answer's own `server_endpoint` or `domain`).
 */
export interface B24TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  memberId: string;
  clientEndpoint: string;
  portalHost: string;
  scope: string;
  appStatus: string | null;
  bitrixUserId: number | null;
  oauthServer: string;
}

/** The token request to one configured server, with that server's own app credentials. */
export function buildTokenRequest(grant: TokenGrant, server: OAuthServer): { url: string; form: Record<string, string> } {
  const form: Record<string, string> = {
    grant_type: grant.grant,
    client_id: server.clientId,
    client_secret: server.clientSecret,
  };
  if (grant.grant === "authorization_code") form.code = grant.code;
  else form.refresh_token = grant.refreshToken;
  return { url: `${server.origin}/oauth/token/`, form };
}

const token = z.string().min(8).max(512).regex(/^[\x21-\x7e]+$/);
const numeric = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

const tokenResponse = z.object({
  access_token: token,
  refresh_token: token,
  expires_in: numeric.pipe(z.number().int().positive().max(86_400 * 400)),
  member_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
  client_endpoint: z.string(),
  scope: z.string().max(2048).default(""),
  status: z.string().max(4).optional(),
  user_id: numeric.pipe(z.number().int().positive()).optional(),
});

const OAUTH_MESSAGES: Partial<Record<B24ErrorCode, string>> = {
  invalid_grant: "The authorization grant is invalid, expired or already used.",
  oauth_client_rejected: "Bitrix24 rejected this app's client id or secret. Check B24_CLIENT_ID and B24_CLIENT_SECRET (or the server's entry in B24_OAUTH_SERVERS).",
  payment_required: "The app's subscription on this portal has ended.",
  needs_reauth: "The app is not installed on this portal.",
};

/** Maps the OAuth server's answer to a token set or a classified B24Error. */
export function processTokenResponse(res: B24Response, cfg: B24Config, server: OAuthServer, now = Date.now()): B24TokenSet {
  const err = errorOf(res.body);
  if (res.status >= 500) throw new B24Error("oauth_unavailable", "The Bitrix24 OAuth server is unavailable.", { upstreamStatus: res.status });
  if (err) {
    const code = classifyOAuth(err.error);
    throw new B24Error(code, OAUTH_MESSAGES[code] ?? "Bitrix24 refused the token request.", { upstream: err.error, upstreamStatus: res.status });
  }
  const parsed = tokenResponse.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) {
    throw new B24Error("invalid_token_response", "The Bitrix24 OAuth server sent an unexpected answer.", { upstreamStatus: res.status });
  }
  const t = parsed.data;
  const clientEndpoint = checkVouchedEndpoint(t.client_endpoint, cfg.hostPolicy);
  if (!clientEndpoint) {
    throw new B24Error("invalid_token_response", "The OAuth server reported a REST address this app does not accept.");
  }
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: new Date(now + t.expires_in * 1000),
    memberId: t.member_id,
    clientEndpoint,
    portalHost: new URL(clientEndpoint).host,
    scope: t.scope,
    appStatus: t.status ?? null,
    bitrixUserId: t.user_id ?? null,
    oauthServer: server.origin,
  };
}

export async function requestToken(grant: TokenGrant, cfg: B24Config, server: OAuthServer, timeoutMs?: number): Promise<B24TokenSet> {
  const { url, form } = buildTokenRequest(grant, server);
  let res: B24Response;
  try {
    res = await b24Fetch(url, { method: "POST", form, timeoutMs });
  } catch (cause) {
    throw new B24Error("oauth_unavailable", "The Bitrix24 OAuth server could not be reached.", { cause });
  }
  return processTokenResponse(res, cfg, server);
}
