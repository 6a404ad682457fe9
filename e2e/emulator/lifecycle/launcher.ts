import { escapeHtml, html, json, type Incoming, type Reply } from "../http";
import { errorPage, page } from "../pages";
import type { EmulatorState, PortalState } from "../state";
import type { SeedUser } from "../types";
import { authFields, buildFrame, clientSpec, frameHtml, langOf, safeJson } from "../frames/frame-spec";
import { SLIDER_CSS } from "../frames/slider-script";
import { signedInUser, signInCookie, withCookie } from "../frames/session";
import { releaseHeld } from "./events";
import { paymentPage } from "../licence";
import { bridgeScript } from "./bridge";

/**
 * Who is on a portal page: `?user=N` signs N in (a test's shortcut for "this person opened the portal"), else the
 * signed-in user, else the administrator (signed in from then on). Returns the Set-Cookie to send, if any.
 */
export function portalPageUser(state: EmulatorState, portal: PortalState, req: Incoming): { user: SeedUser | null; cookie: string | null } {
  const param = req.query.user;
  if (param) {
    const user = portal.users.find((u) => String(u.id) === param) ?? null;
    return { user, cookie: user ? signInCookie(portal, user.id) : null };
  }
  const current = signedInUser(portal, req);
  if (current) return { user: current, cookie: null };
  const admin = state.adminOf(portal) ?? null;
  return { user: admin, cookie: admin ? signInCookie(portal, admin.id) : null };
}

export const FRAME_STYLE = "width:100%;height:600px;border:1px solid #ccd;display:block";

/**
 * The portal page that hosts the app (https://apidocs.bitrix24.com/settings/oauth/simple-way.html): an iframe named `DOMAIN|PROTOCOL|APP_SID` and a hidden form
 * auto-submitted into it, aimed at the installer until install is finished (admins only), then at the handler.
 * `?placement=&placement_options=` open the same frame as any placement with any (even forged) options.
 */
export function launcherPage(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  if (portal.deleted) return errorPage(403, "Portal was deleted", "This Bitrix24 portal no longer exists.");
  if (!portal.installed) return errorPage(404, "Application not installed", "The application is not installed on this Bitrix24.");
  if (portal.paymentRequired) return paymentPage(state, portal);
  const { user, cookie } = portalPageUser(state, portal, req);
  if (!user) return errorPage(400, "Unknown user", "No such user on this portal.");
  if (!portal.installFinished && !user.admin) {
    return withCookie(errorPage(200, portal.host, "The application is not fully installed yet. Please contact your administrator."), cookie);
  }
  const install = !portal.installFinished && !!state.app.installUrl;
  const target = portal.installFinished ? state.app.handlerUrl : (state.app.installUrl ?? state.app.handlerUrl);
  if (!target) return errorPage(500, "Application has no URL", "The emulator was started without appUrl/handlerUrl.");
  const lang = langOf(req.query);
  const placement = req.query.placement ?? "DEFAULT";
  const kind = placement === "DEFAULT" ? "app" : "placement";
  const spec = buildFrame(state, portal, { user, target, kind, placement, options: req.query.placement_options ?? "{}", lang, install });
  const status = req.query.install_finished === "Y" ? "Installation finished"
    : portal.installFinished ? "Application ready" : "Installation in progress";
  const reload = new URLSearchParams({ user: String(user.id), ...(req.query.lang ? { lang } : {}) });
  const cfg = {
    userId: user.id, clientId: state.app.clientId, reloadUrl: `/marketplace/app/?${reload.toString()}`,
    main: { ...clientSpec(spec), elementId: "app-frame", formId: "app-form" },
  };
  return withCookie(html(200, page(`${state.app.clientId} — ${portal.host}`, `<h1>${escapeHtml(portal.host)}</h1>
<p>Signed in as ${escapeHtml(`${user.name} ${user.lastName}`)}. <span id="app-title"></span></p>
<p id="status" role="status">${escapeHtml(status)}</p>
<p id="portal-notice" aria-live="polite"></p>
${frameHtml(spec, { form: "app-form", frame: "app-frame" }, FRAME_STYLE)}
<script>${bridgeScript(safeJson(cfg))}</script>`, { wide: true, css: SLIDER_CSS })), cookie);
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
