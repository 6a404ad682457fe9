import { json, type Incoming, type Reply } from "../http";
import type { EmulatorState, PortalState } from "../state";
import { selectAccess, selectCRM, selectUser } from "./canned";
import { buildFrame, clientSpec } from "./frame-spec";
import { addBridgeLog, frameInfo, markInstallSeen, type FrameInfo } from "./registry";

/**
 * The portal page's own backend for the bridge: the real parent keeps options, install flags and dialogs on the
 * portal server too (core `applayout.js` posts `action=…` to its component). The page calls
 * POST /marketplace/app/bridge?sid=<APP_SID> `{command, params}` → `{reply}` or `{silent: reason}`.
 */
function body(req: Incoming): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(req.bodyText || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function openApplication(state: EmulatorState, portal: PortalState, frame: FrameInfo, params: Record<string, unknown>): Reply {
  const user = portal.users.find((u) => u.id === frame.userId)!;
  const install = !portal.installFinished && user.admin && !!state.app.installUrl;
  const target = portal.installFinished ? state.app.handlerUrl : install ? state.app.installUrl : undefined;
  if (!target) return json(200, { silent: "not-installed" });
  // The new frame is the DEFAULT placement; its options are the params minus the slider's own bx24_* settings.
  const options = Object.fromEntries(Object.entries(params).filter(([k]) => !k.startsWith("bx24_")));
  const spec = buildFrame(state, portal, { user, target, kind: "slider", placement: "DEFAULT", options: JSON.stringify(options), lang: frame.lang, install });
  return json(200, { frame: { ...clientSpec(spec), action: spec.action, fields: spec.fields } });
}

export function bridgeCommand(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  if (req.method !== "POST") return json(405, { error: "METHOD_NOT_ALLOWED" });
  const frame = frameInfo(portal, req.query.sid);
  if (!frame || !portal.installed) return json(403, { error: "ACCESS_DENIED", error_description: "Unknown frame" });
  const b = body(req);
  const params = obj(b.params);
  const user = portal.users.find((u) => u.id === frame.userId);
  if (!user) return json(403, { error: "ACCESS_DENIED" });
  switch (b.command) {
    case "setInstall":
      // Core stores `install=1` in the user's params_<CLIENT_ID>_<VERSION> option; FIRST_RUN is false from now on.
      if (params.install === true || params.install === "true" || params.install === "Y") markInstallSeen(portal, user.id);
      return json(200, { reply: params });
    case "setUserOption": {
      if (typeof params.name !== "string") return json(200, { silent: "bad-params" });
      const opts = portal.userOptions.get(user.id) ?? {};
      opts[params.name] = params.value;
      portal.userOptions.set(user.id, opts);
      return json(200, { reply: params });
    }
    case "setAppOption":
      if (!user.admin) return json(200, { silent: "not-admin" });
      if (typeof params.name !== "string") return json(200, { silent: "bad-params" });
      portal.appOptions[params.name] = params.value;
      return json(200, { reply: { ...portal.appOptions } });
    case "selectUser":
      return json(200, { reply: selectUser(portal, params) });
    case "selectAccess":
      return json(200, { reply: selectAccess(portal) });
    case "selectCRM":
      return json(200, { reply: selectCRM(portal, params) });
    case "openApplication":
      return openApplication(state, portal, frame, params);
    default:
      return json(200, { silent: "unknown" });
  }
}

/** POST /marketplace/app/bridge-log?sid=<APP_SID> `{command, params, answered, denied?}`: one message the page received. */
export function bridgeLogPost(state: EmulatorState, portal: PortalState, req: Incoming): Reply {
  if (req.method !== "POST") return json(405, { error: "METHOD_NOT_ALLOWED" });
  const b = body(req);
  const frame = frameInfo(portal, req.query.sid);
  addBridgeLog(state, {
    memberId: portal.memberId,
    sid: req.query.sid ?? "",
    placement: frame?.placement ?? "",
    kind: frame?.kind ?? "",
    command: typeof b.command === "string" ? b.command.slice(0, 100) : "",
    params: b.params,
    answered: b.answered === true,
    ...(typeof b.denied === "string" ? { denied: b.denied } : {}),
  }, typeof b.page === "string" && Number.isInteger(b.n) ? { page: b.page.slice(0, 40), n: b.n as number } : undefined);
  return { status: 204 };
}
