import { randomHex, type EmulatorState, type PortalState } from "../state";
import type { DeliveryResult } from "../types";
import { eventAuth, postForm } from "./events";

export class LifecycleError extends Error {}

/**
 * Install (https://apidocs.bitrix24.com/settings/app-installation/installation-finish.html, https://apidocs.bitrix24.com/api-reference/common/events/on-app-install.html): every install gets a new application_token. A UI app stays "not fully installed" until
 * its installer calls installFinish; a no-UI app is installed at once and receives ONAPPINSTALL with tokens of
 * the installing admin, refresh token included.
 */
export async function install(
  state: EmulatorState,
  portal: PortalState,
  opts: { noUi?: boolean; userId?: number } = {},
): Promise<{ applicationToken: string; delivery?: DeliveryResult }> {
  const admin = opts.userId ? portal.users.find((u) => u.id === opts.userId && u.admin) : state.adminOf(portal);
  if (!admin) throw new LifecycleError("install needs an administrator");
  if (opts.noUi && !state.app.installHandlerUrl) throw new LifecycleError("noUi install needs app.installHandlerUrl");
  portal.installed = true;
  portal.installFinished = !!opts.noUi;
  portal.applicationToken = randomHex(16);
  portal.held = [];
  if (!opts.noUi) return { applicationToken: portal.applicationToken };
  const delivery = await postForm(state, portal, "ONAPPINSTALL", state.app.installHandlerUrl as string, {
    event: "ONAPPINSTALL",
    data: { VERSION: "1", ACTIVE: "Y", INSTALLED: "Y", LANGUAGE_ID: portal.language },
    ts: String(state.clock.nowSec()),
    auth: eventAuth(state, portal, admin.id, true),
  });
  return { applicationToken: portal.applicationToken, delivery };
}

/**
 * ONAPPUPDATE carries tokens and the new application_token; handlers and placements of the old version are
 * removed, so a UI app's installer runs again.
 */
export async function update(state: EmulatorState, portal: PortalState, opts: { noUi?: boolean } = {}): Promise<DeliveryResult[]> {
  if (!portal.installed) throw new LifecycleError("app is not installed");
  const admin = state.adminOf(portal);
  const handlers = portal.bindings.filter((b) => b.event === "ONAPPUPDATE" && !b.offline);
  portal.applicationToken = randomHex(16);
  portal.bindings = [];
  portal.placements = [];
  // --- Automation robots: bizproc treats an update like a delete (RestService::onRestAppUpdate; bizproc.robot.delete docs) ---
  portal.robots = [];
  if (!opts.noUi) portal.installFinished = false;
  const data = { VERSION: "2", PREVIOUS_VERSION: "1", LANGUAGE_ID: portal.language };
  return Promise.all(
    handlers.map((b) =>
      postForm(state, portal, "ONAPPUPDATE", b.handler, {
        event: "ONAPPUPDATE",
        event_handler_id: String(b.id),
        data,
        ts: String(state.clock.nowSec()),
        auth: eventAuth(state, portal, b.authType || admin?.id || b.userId, true),
      }),
    ),
  );
}

/**
 * Uninstall (https://apidocs.bitrix24.com/api-reference/common/events/on-app-uninstall.html): API access is revoked before ONAPPUNINSTALL goes out, and the event carries no tokens, only
 * the application_token of the removed installation. Options survive unless `clean`.
 */
export async function uninstall(state: EmulatorState, portal: PortalState, clean: boolean): Promise<DeliveryResult[]> {
  if (!portal.installed) throw new LifecycleError("app is not installed");
  const handlers = portal.bindings.filter((b) => b.event === "ONAPPUNINSTALL" && !b.offline);
  const auth = eventAuth(state, portal, null, false);
  state.tokens.killPortal(portal.memberId);
  portal.installed = false;
  portal.installFinished = false;
  portal.applicationToken = "";
  portal.bindings = [];
  portal.placements = [];
  // --- Automation robots: removed with the app (RestService::onRestAppDelete) ---
  portal.robots = [];
  portal.held = [];
  portal.offline = [];
  portal.frames.clear();
  if (clean) {
    portal.appOptions = {};
    portal.userOptions.clear();
  }
  return Promise.all(
    handlers.map((b) =>
      postForm(state, portal, "ONAPPUNINSTALL", b.handler, {
        event: "ONAPPUNINSTALL",
        event_handler_id: String(b.id),
        data: { LANGUAGE_ID: portal.language, CLEAN: clean ? "1" : "0" },
        ts: String(state.clock.nowSec()),
        auth,
      }),
    ),
  );
}
