import { parseQueryString } from "./form";
import { escapeHtml, html, redirect, type Handler, type Incoming, type Reply } from "./http";
import { errorPage, page } from "./pages";
import { launcherAuth, launcherInstallFinish, launcherPage } from "./lifecycle/launcher";
import { bridgeCommand, bridgeLogPost } from "./frames/bridge-api";
import { DEAL_CARD_PATH, dealCardPage, dealTabSpec } from "./frames/deal-card";
import { authPage, signedInUser, signInCookie, userChooser, withCookie } from "./frames/session";
import { handlePortalRest } from "./rest/handler";
import { str } from "./rest/params";
import type { EmulatorState, PortalState } from "./state";
import type { SeedUser } from "./types";

/** (https://apidocs.bitrix24.com/settings/oauth/index.html) an error page and no redirect when the client is unknown or the app is not installed here. */
function authorizeCheck(state: EmulatorState, portal: PortalState, clientId: string | undefined): Reply | null {
  if (portal.deleted) return errorPage(403, "Portal was deleted", "This Bitrix24 portal no longer exists.");
  if (!clientId) return errorPage(400, "Authorization error", "The client_id parameter is required.");
  if (clientId !== state.oauthServerOf(portal).clientId) return errorPage(404, "Application not found", "No application with this client_id exists.");
  if (!portal.installed) {
    return errorPage(404, "Application not installed", "The application is not installed on this Bitrix24. Ask an administrator to install it.");
  }
  return null;
}

/** The portal's login page, shown only when nobody is signed in: choosing a user signs them in and authorizes. */
function consentPage(state: EmulatorState, portal: PortalState, q: Record<string, string>): Reply {
  const hidden = Object.fromEntries(["client_id", "state"].filter((k) => q[k] !== undefined).map((k) => [k, q[k] ?? ""]));
  return html(200, page(`Authorize — ${portal.host}`, `<h1>${escapeHtml(portal.host)}</h1>
<p>The application <b>${escapeHtml(state.oauthServerOf(portal).clientId)}</b> requests access (${escapeHtml(state.app.scope.join(", "))}).</p>
${userChooser(portal, hidden, "/oauth/authorize/", "Allow")}`));
}

/** 302 to the registered redirect URI with `code, state, domain, member_id, scope, server_domain`. */
function authorizeRedirect(state: EmulatorState, portal: PortalState, user: SeedUser, stateParam: string | undefined): Reply {
  const code = state.tokens.issueCode(portal.memberId, user.id);
  const params = new URLSearchParams({ code });
  if (stateParam !== undefined) params.set("state", stateParam);
  params.set("domain", portal.host);
  params.set("member_id", portal.memberId);
  params.set("scope", state.app.scope.join(","));
  params.set("server_domain", state.oauthServerOf(portal).host);
  if (!state.app.redirectUri) {
    // No return address registered: the portal shows the code for manual entry.
    return html(200, page("Authorization code", `<h1>Authorization code</h1><p><code id="code">${escapeHtml(code)}</code></p>`));
  }
  const sep = state.app.redirectUri.includes("?") ? "&" : "?";
  return redirect(`${state.app.redirectUri}${sep}${params.toString()}`);
}

function authorizeSubmit(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  const form = { ...parseQueryString(req.url.search.slice(1)), ...parseQueryString(req.bodyText) };
  const clientId = str(form.client_id);
  const failed = authorizeCheck(state, portal, clientId);
  if (failed) return failed;
  const user = portal.users.find((u) => String(u.id) === str(form.user));
  if (!user) return errorPage(400, "Authorization error", "Unknown user.");
  return withCookie(authorizeRedirect(state, portal, user, str(form.state)), signInCookie(portal, user.id));
}

/** P§3.1: "If the user is already logged in to the portal, no form is shown." */
function authorizeGet(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  const failed = authorizeCheck(state, portal, req.query.client_id);
  if (failed) return failed;
  const user = signedInUser(portal, req);
  return user ? authorizeRedirect(state, portal, user, req.query.state) : consentPage(state, portal, req.query);
}

function indexPage(state: EmulatorState, portal: PortalState): Reply {
  return html(200, page(portal.host, `<h1>${escapeHtml(portal.host)}</h1>
<p>Bitrix24 emulator portal, member_id <code>${portal.memberId}</code>.</p>
<ul><li><a href="/marketplace/app/">Open the application</a></li>
<li><a href="/oauth/authorize/?client_id=${encodeURIComponent(state.app.clientId)}">Authorize the application</a></li>
<li><a href="/auth/">Sign in</a> · <a href="/auth/?logout=yes">Sign out</a></li></ul>`));
}

/**
 * One handler per listening port. After a rename the old port keeps answering every request with a 302 to the
 * same path on the portal's current host (https://apidocs.bitrix24.com/settings/how-to-call-rest-api/change-domen.html); `member_id` never changes.
 */
export function portalHandler(state: EmulatorState, portal: PortalState, port: number): Handler {
  return async (req) => {
    if (portal.port !== port) return redirect(`${portal.url}${req.url.pathname}${req.url.search}`);
    if (req.path.startsWith("/rest/")) return handlePortalRest(state, portal, req);
    if (req.path === "/oauth/authorize/" || req.path === "/oauth/authorize") {
      return req.method === "POST" ? authorizeSubmit(state, portal, req) : authorizeGet(state, portal, req);
    }
    if (req.path === "/auth/" || req.path === "/auth") return authPage(portal, req);
    if (req.path === "/marketplace/app/auth") return launcherAuth(state, portal, req);
    if (req.path === "/marketplace/app/install-finish") return launcherInstallFinish(state, portal, req);
    if (req.path === "/marketplace/app/bridge") return bridgeCommand(state, portal, req);
    if (req.path === "/marketplace/app/bridge-log") return bridgeLogPost(state, portal, req);
    if (req.path === "/marketplace/app/" || req.path === "/marketplace/app") return launcherPage(state, portal, req);
    const card = DEAL_CARD_PATH.exec(req.path);
    if (card) return card[2] ? dealTabSpec(state, portal, req, Number(card[1])) : dealCardPage(state, portal, req, Number(card[1]));
    if (req.path === "/") return indexPage(state, portal);
    return errorPage(404, "Not found", "This page does not exist.");
  };
}
