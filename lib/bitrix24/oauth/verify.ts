import { z } from "zod";
import type { B24Config, OAuthServer } from "../config";
import { B24Error } from "@/lib/errors";
import { checkVouchedEndpoint } from "@/lib/http/hosts";
import { classifyOAuth } from "../transport/classify";
import { b24Fetch, errorOf } from "../transport/http";

/**
 * Asks a configured Bitrix24 OAuth server (pinned; a request hint only selects which, oauth/servers.ts) who an access
 * token belongs to, via its `app.info` (https://apidocs.bitrix24.com/settings/oauth/simple-way.html). This is the only
 * way a token posted by a browser frame (AUTH_ID) or an event (auth[access_token]) becomes trusted; the posted DOMAIN,
 * member_id and client_endpoint are never used before this answer confirms them. The token travels in the POST body.
 */
export interface VerifiedToken {
  memberId: string;
  portalHost: string;
  /** From the OAuth server's answer; the only REST address later calls may use. */
  clientEndpoint: string;
  bitrixUserId: number | null;
  scope: string;
  appStatus: string | null;
  /** false until the app's installer called installFinish. */
  installed: boolean;
  /** Origin of the configured server that answered: the portal's server from now on. */
  oauthServer: string;
}

const numeric = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const appInfo = z.object({
  result: z.object({
    client_id: z.string().optional(),
    scope: z.string().default(""),
    user_id: numeric.optional(),
    install: z.object({
      installed: z.boolean(),
      status: z.string().max(4).optional(),
      scope: z.string().optional(),
      member_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
      client_endpoint: z.string(),
    }),
  }),
});

export async function verifyAccessToken(accessToken: string, cfg: B24Config, server: OAuthServer): Promise<VerifiedToken> {
  if (!/^[\x21-\x7e]{8,512}$/.test(accessToken)) throw new B24Error("unauthenticated", "The Bitrix24 token is malformed.");
  let res;
  try {
    res = await b24Fetch(`${server.origin}/rest/app.info`, { method: "POST", form: { auth: accessToken } });
  } catch (cause) {
    throw new B24Error("oauth_unavailable", "Bitrix24's OAuth server could not be reached to check the token.", { cause });
  }
  if (res.status >= 500) throw new B24Error("oauth_unavailable", "Bitrix24's OAuth server is unavailable.", { upstreamStatus: res.status });
  const err = errorOf(res.body);
  if (err) {
    const opts = { upstream: err.error, upstreamStatus: res.status };
    if (classifyOAuth(err.error) === "payment_required") throw new B24Error("payment_required", "The app's subscription on this portal has ended. An administrator should renew it in the Bitrix24 Market.", opts);
    throw new B24Error("unauthenticated", "Bitrix24 did not confirm this token.", opts);
  }
  const parsed = appInfo.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) throw new B24Error("invalid_token_response", "Bitrix24's OAuth server sent an unexpected answer.");
  const r = parsed.data.result;
  if (r.client_id !== undefined && r.client_id !== server.clientId) throw new B24Error("unauthenticated", "The token belongs to another application.");
  const clientEndpoint = checkVouchedEndpoint(r.install.client_endpoint, cfg.hostPolicy);
  if (!clientEndpoint) throw new B24Error("invalid_token_response", "The OAuth server reported a REST address this app does not accept.");
  return {
    memberId: r.install.member_id,
    portalHost: new URL(clientEndpoint).host,
    clientEndpoint,
    bitrixUserId: r.user_id ?? null,
    scope: r.install.scope ?? r.scope,
    appStatus: r.install.status ?? null,
    installed: r.install.installed,
    oauthServer: server.origin,
  };
}
