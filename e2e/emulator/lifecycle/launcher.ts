import { escapeHtml, html, json, type Incoming, type Reply } from "../http";
import { errorPage, page } from "../pages";
import { randomHex, type EmulatorState, type PortalState } from "../state";
import { releaseHeld } from "./events";
import { bridgeScript } from "./bridge";

function authFields(state: EmulatorState, portal: PortalState, userId: number) {
  const pair = state.tokens.issue(portal.memberId, userId);
  return { AUTH_ID: pair.access, AUTH_EXPIRES: String(state.tokens.accessTtlSec), REFRESH_ID: pair.refresh };
}

function safeJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The portal page that hosts the app (https://apidocs.bitrix24.com/settings/oauth/simple-way.html): an iframe named `DOMAIN|PROTOCOL|APP_SID` and a hidden form
 * auto-submitted into it, aimed at the installer until install is finished (admins only), then at the handler.
 */
export function launcherPage(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  if (portal.deleted) return errorPage(403, "Portal was deleted", "This Bitrix24 portal no longer exists.");
  if (!portal.installed) return errorPage(404, "Application not installed", "The application is not installed on this Bitrix24.");
  const userParam = req.query.user;
  const user = userParam ? portal.users.find((u) => String(u.id) === userParam) : state.adminOf(portal);
  if (!user) return errorPage(400, "Unknown user", "No such user on this portal.");
  if (!portal.installFinished && !user.admin) {
    return errorPage(200, portal.host, "The application is not fully installed yet. Please contact your administrator.");
  }
  const target = portal.installFinished ? state.app.handlerUrl : (state.app.installUrl ?? state.app.handlerUrl);
  if (!target) return errorPage(500, "Application has no URL", "The emulator was started without appUrl/handlerUrl.");
  const sid = randomHex(16);
  portal.frames.set(sid, user.id);
  const auth = authFields(state, portal, user.id);
  const placement = req.query.placement ?? "DEFAULT";
  const placementOptions = req.query.placement_options ?? "{}";
  const query = new URLSearchParams({ DOMAIN: portal.host, PROTOCOL: "0", LANG: "en", APP_SID: sid });
  const action = `${target}${target.includes("?") ? "&" : "?"}${query.toString()}`;
  const fields: Record<string, string> = {
    ...auth,
    SERVER_ENDPOINT: state.serverEndpoint(),
    member_id: portal.memberId,
    status: state.app.status,
    PLACEMENT: placement,
    PLACEMENT_OPTIONS: placementOptions,
    APPLICATION_TOKEN: portal.applicationToken,
    APPLICATION_SCOPE: state.app.scope.join(","),
  };
  let parsedOptions: unknown = {};
  try {
    parsedOptions = JSON.parse(placementOptions);
  } catch {
    parsedOptions = {};
  }
  const init = {
    LANG: "en", DOMAIN: portal.host, PROTOCOL: 0, PATH: "/rest/", ...auth, MEMBER_ID: portal.memberId,
    FIRST_RUN: !portal.installFinished, IS_ADMIN: user.admin, INSTALL: !portal.installFinished,
    USER_OPTIONS: portal.userOptions.get(user.id) ?? {}, APP_OPTIONS: portal.appOptions,
    PLACEMENT: placement, PLACEMENT_OPTIONS: parsedOptions,
  };
  const frameName = `${portal.host}|0|${sid}`;
  const status = req.query.install_finished === "Y" ? "Installation finished"
    : portal.installFinished ? "Application ready" : "Installation in progress";
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
  const cfg = { appOrigin: new URL(target).origin, sid, userId: user.id, init };
  return html(200, page(`${state.app.clientId} — ${portal.host}`, `<h1>${escapeHtml(portal.host)}</h1>
<p>Signed in as ${escapeHtml(`${user.name} ${user.lastName}`)}. <span id="app-title"></span></p>
<p id="status" role="status">${escapeHtml(status)}</p>
<form id="app-form" method="post" target="${escapeHtml(frameName)}" action="${escapeHtml(action)}">${inputs}</form>
<iframe id="app-frame" name="${escapeHtml(frameName)}" title="Application" style="width:100%;height:600px;border:1px solid #ccd"></iframe>
<script>${bridgeScript(safeJson(cfg))}</script>`).replace("max-width:40rem", "max-width:none"));
}

function frameUser(portal: PortalState, req: Incoming): number | null {
  const sid = req.query.sid;
  return sid ? (portal.frames.get(sid) ?? null) : null;
}

/** Fresh tokens for `refreshAuth`: the real parent asks its own backend as well. */
export function launcherAuth(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  if (req.method !== "POST") return json(405, { error: "METHOD_NOT_ALLOWED" });
  const userId = frameUser(portal, req);
  if (userId === null || !portal.installed) return json(403, { error: "ACCESS_DENIED", error_description: "Unknown frame" });
  return json(200, authFields(state, portal, userId));
}

export async function finishInstall(state: EmulatorState, portal: PortalState) {
  portal.installFinished = true;
  return releaseHeld(state, portal);
}

export async function launcherInstallFinish(state: EmulatorState, portal: PortalState, req: Incoming): Promise<Reply> {
  if (req.method !== "POST") return json(405, { error: "METHOD_NOT_ALLOWED" });
  const userId = frameUser(portal, req);
  const user = portal.users.find((u) => u.id === userId);
  if (!user || !portal.installed) return json(403, { error: "ACCESS_DENIED", error_description: "Unknown frame" });
  if (!user.admin) return json(403, { error: "ACCESS_DENIED", error_description: "Administrator authorization required" });
  const deliveries = await finishInstall(state, portal);
  return json(200, { result: true, deliveries: deliveries.length });
}
