import { parseQueryString } from "./form";
import { escapeHtml, html, json, redirect, type Handler, type Incoming, type Reply } from "./http";
import { handleOauthRest } from "./rest/handler";
import { licenceOf } from "./licence";
import { str } from "./rest/params";
import type { EmulatorState } from "./state";
import type { TokenPair } from "./tokens";

function oauthError(status: number, error: string, description?: string): Reply {
  return json(status, description ? { error, error_description: description } : { error });
}

/** Fields of the code exchange and refresh answers (https://apidocs.bitrix24.com/settings/oauth/index.html); `domain` is the OAuth host, the portal comes from `client_endpoint`. */
export function tokenResponse(state: EmulatorState, pair: TokenPair): Record<string, unknown> {
  const portal = state.portal(pair.memberId);
  return {
    access_token: pair.access,
    client_endpoint: state.clientEndpoint(portal),
    domain: state.oauthServerOf(portal).host,
    expires: Math.floor(pair.accessExpiresMs / 1000),
    expires_in: state.tokens.accessTtlSec,
    member_id: portal.memberId,
    refresh_token: pair.refresh,
    scope: state.app.scope.join(","),
    server_endpoint: state.serverEndpoint(portal),
    status: licenceOf(state, portal).status,
    user_id: pair.userId,
  };
}

/**
 * `/oauth/token/` by GET query or POST form. Statuses follow the Python SDK's live integration tests:
 * unknown client_id → 200 `wrong_client`, wrong secret → 400 `invalid_client`, bad grant → 400 `invalid_grant`.
 * `server` is the OAuth server answering (a region): its own app registration, and only its portals' codes and tokens.
 */
export function tokenEndpoint(state: EmulatorState, req: Incoming, server: 1 | 2 = 1): Reply {
  const body = req.method === "POST" && req.contentType !== "application/json" ? parseQueryString(req.bodyText) : {};
  const p = { ...parseQueryString(req.url.search.slice(1)), ...body };
  const grant = str(p.grant_type);
  if (!grant) return oauthError(400, "invalid_request", 'No "grant_type" parameter found');
  if (grant !== "authorization_code" && grant !== "refresh_token") {
    return oauthError(400, "invalid_request", `Unsupported grant_type "${grant}"`);
  }
  const clientId = str(p.client_id);
  if (!clientId) return oauthError(400, "invalid_request", 'No "client_id" parameter found');
  const registration = (server === 2 && state.options.secondOAuth) || state.app;
  if (clientId !== registration.clientId) return oauthError(200, "wrong_client");
  const secret = str(p.client_secret);
  if (!secret) return oauthError(400, "invalid_request", 'No "client_secret" parameter found');
  if (secret !== registration.clientSecret) return oauthError(400, "invalid_client", "Invalid client credentials");
  const known = (memberId: string) => state.portals.get(memberId)?.oauthServer === server;

  if (grant === "authorization_code") {
    const code = str(p.code);
    if (!code) return oauthError(400, "invalid_request", 'No "code" parameter found');
    const found = state.tokens.consumeCode(code, known);
    if (!found) return oauthError(400, "invalid_grant", "The authorization code is invalid, expired or already used");
    const portal = state.portal(found.memberId);
    if (!portal.installed) return oauthError(400, "invalid_grant", "Application is not installed");
    if (portal.paymentRequired) return oauthError(401, "PAYMENT_REQUIRED", "Payment required");
    return json(200, tokenResponse(state, state.tokens.issue(found.memberId, found.userId)));
  }
  const refresh = str(p.refresh_token);
  if (!refresh) return oauthError(400, "invalid_request", 'No "refresh_token" parameter found');
  const result = state.tokens.refresh(refresh, known);
  if (!result.ok) return oauthError(400, "invalid_grant", result.description);
  const portal = state.portal(result.pair.memberId);
  if (portal.paymentRequired) return oauthError(401, "PAYMENT_REQUIRED", "Payment required");
  return json(200, tokenResponse(state, result.pair));
}

/** Not documented by Bitrix (https://apidocs.bitrix24.com/settings/oauth/index.html); offered for convenience: forwards to the only portal, or lists them. */
function authorizeForward(state: EmulatorState, req: Incoming): Reply {
  const portals = [...state.portals.values()];
  if (portals.length === 1 && portals[0]) return redirect(`${portals[0].url}/oauth/authorize/${req.url.search}`);
  const links = portals.map((p) => `<li><a href="${escapeHtml(`${p.url}/oauth/authorize/${req.url.search}`)}">${escapeHtml(p.host)}</a></li>`);
  return html(300, `<!doctype html><title>Choose a portal</title><h1>Choose a portal</h1><ul>${links.join("")}</ul>`);
}

export function oauthHandler(state: EmulatorState, control: Handler, server: 1 | 2 = 1): Handler {
  return async (req) => {
    if (req.path.startsWith("/__emulator/")) return control(req);
    if (req.path === "/oauth/token/" || req.path === "/oauth/token") {
      if (req.method !== "GET" && req.method !== "POST") return oauthError(405, "invalid_request", "Method not allowed");
      return tokenEndpoint(state, req, server);
    }
    if (req.path === "/oauth/authorize/" || req.path === "/oauth/authorize") return authorizeForward(state, req);
    if (req.path.startsWith("/rest/")) return handleOauthRest(state, req, server);
    return json(404, { error: "NOT_FOUND", error_description: "Not found" });
  };
}
