/**
 * The parent's message rules (extensions reference §2.1, §2.2, §1.5), as plain browser JS so the portal page and the
 * unit tests run the very same code (tests load it with `loadProtocol()`).
 * Sources: core `applayout.js` (MessageInterface, denyInterface), b24jssdk `frame/message/controller.ts`.
 */
export const PROTOCOL_JS = String.raw`
var DEFAULT_COMMANDS = ["getInitData", "getInterface", "refreshAuth", "resizeWindow", "setTitle", "setScroll",
  "setUserOption", "setAppOption", "setInstall", "setInstallFinish", "selectUser", "selectAccess", "selectCRM",
  "reloadWindow", "imCallTo", "imPhoneTo", "imOpenMessenger", "imOpenHistory", "openApplication", "openPath",
  "closeApplication"];
// Placements lose these (core denyInterface); a frame opened as a slider cannot resize itself.
var DENIED = { app: [], placement: ["setTitle", "setScroll", "reloadWindow"], slider: ["resizeWindow"] };
// Placement-specific commands/events (BX24.placement.call / bindEvent), per placement code.
var PLACEMENT_INTERFACES = [
  { re: /^CRM_[A-Z0-9_]+_(DETAIL_TAB|DETAIL_ACTIVITY|LIST_MENU)$/, command: ["reloadData"], event: [] },
  { re: /^USERFIELD_TYPE$/, command: ["setValue", "getValue"], event: [] },
  { re: /^CALL_CARD$/, command: ["getStatus", "disableAutoClose", "enableAutoClose"], event: ["CallCard::CallStateChanged"] }
];
var OPEN_PATH_RE = /^\/(crm\/(deal|lead|contact|company|type)|marketplace|company\/personal\/user\/\d+|workgroups\/group\/\d+)\//;

function placementInterface(placement) {
  for (var i = 0; i < PLACEMENT_INTERFACES.length; i++) {
    var p = PLACEMENT_INTERFACES[i];
    if (p.re.test(placement || "")) return { command: p.command.slice(), event: p.event.slice() };
  }
  return { command: [], event: [] };
}

// String form "cmd:json:cb:sid" (json may hold ':'; b24jssdk drops empty segments), or {method, params, callback, appSid}.
function parseMessage(data) {
  if (typeof data === "string") {
    var parts = data.split(":");
    if (parts.length < 2 || !parts[0]) return null;
    var raw = parts.slice(1, -2).join(":");
    var params = {};
    if (raw) { try { params = JSON.parse(raw); } catch (e) { params = raw; } }
    return { cmd: parts[0], params: params, cb: parts.length > 2 ? parts[parts.length - 2] : "", sid: parts[parts.length - 1] };
  }
  if (data && typeof data === "object" && typeof data.method === "string") {
    var p = data.params;
    if (typeof p === "string" && p) { try { p = JSON.parse(p); } catch (e) { /* a raw value */ } }
    return { cmd: data.method, params: p || {}, cb: data.callback ? String(data.callback) : "", sid: data.appSid };
  }
  return null;
}

// null = allowed; otherwise why the parent stays silent.
function denial(kind, placement, cmd) {
  var own = placementInterface(placement).command;
  var known = DEFAULT_COMMANDS.indexOf(cmd) >= 0 || (kind === "placement" && (cmd === "placementBindEvent" || own.indexOf(cmd) >= 0));
  if (!known) return "unknown";
  if ((DENIED[kind] || []).indexOf(cmd) >= 0) return "context";
  return null;
}

// resizeWindow: "100%" stays, numbers are px, anything else non-numeric becomes 100 px (core); absent = unchanged.
function cssSize(v) {
  if (v === undefined || v === null || v === "") return null;
  if (v === "100%") return "100%";
  var n = parseInt(v, 10);
  return isNaN(n) ? "100px" : Math.max(0, n) + "px";
}

function replyText(cb, result) {
  return cb + ":" + (result === undefined ? "" : JSON.stringify(result));
}
`;

export interface Parsed {
  cmd: string;
  params: unknown;
  cb: string;
  sid: string;
}

export interface Protocol {
  parseMessage(data: unknown): Parsed | null;
  denial(kind: string, placement: string, cmd: string): string | null;
  placementInterface(placement: string): { command: string[]; event: string[] };
  cssSize(v: unknown): string | null;
  replyText(cb: string, result: unknown): string;
  OPEN_PATH_RE: RegExp;
}

export function loadProtocol(): Protocol {
  return new Function(`${PROTOCOL_JS}; return { parseMessage, denial, placementInterface, cssSize, replyText, OPEN_PATH_RE };`)() as Protocol;
}
