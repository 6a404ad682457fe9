import { escapeHtml } from "../http";
import { randomHex, type EmulatorState, type PortalState } from "../state";
import type { SeedUser } from "../types";
import { isFirstRun, registerFrame, type FrameKind } from "./registry";
import { licenceOf } from "../licence";

/** Everything the page needs to mount one app frame: the §1.4 / P§5.1 POST and the getInitData answer. */
export interface FrameSpec {
  sid: string;
  name: string;
  kind: FrameKind;
  placement: string;
  action: string;
  appOrigin: string;
  fields: Record<string, string>;
  init: Record<string, unknown>;
}

export interface FrameRequest {
  user: SeedUser;
  target: string;
  kind: FrameKind;
  placement: string;
  /** The JSON string posted as PLACEMENT_OPTIONS (a forged one is passed through as is). */
  options: string;
  lang: string;
  /** True only when `target` is the installer shown to an admin (§2.3). */
  install: boolean;
}

export function authFields(state: EmulatorState, portal: PortalState, userId: number) {
  const pair = state.tokens.issue(portal.memberId, userId);
  return { AUTH_ID: pair.access, AUTH_EXPIRES: String(state.tokens.accessTtlSec), REFRESH_ID: pair.refresh };
}

export function safeJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** `?lang=` of the portal page: the user's UI language; two lower-case letters, default "en". */
export function langOf(q: Record<string, string>): string {
  return /^[a-z]{2}$/.test(q.lang ?? "") ? (q.lang as string) : "en";
}

export function buildFrame(state: EmulatorState, portal: PortalState, r: FrameRequest): FrameSpec {
  const sid = randomHex(16);
  registerFrame(portal, { sid, userId: r.user.id, kind: r.kind, placement: r.placement, lang: r.lang });
  const auth = authFields(state, portal, r.user.id);
  const query = new URLSearchParams({ DOMAIN: portal.host, PROTOCOL: "0", LANG: r.lang, APP_SID: sid });
  const fields: Record<string, string> = {
    ...auth,
    SERVER_ENDPOINT: state.serverEndpoint(portal),
    member_id: portal.memberId,
    status: licenceOf(state, portal).status,
    PLACEMENT: r.placement,
    PLACEMENT_OPTIONS: r.options,
    APPLICATION_TOKEN: portal.applicationToken,
    APPLICATION_SCOPE: state.app.scope.join(","),
  };
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(r.options);
  } catch {
    parsed = {};
  }
  const init = {
    LANG: r.lang, DOMAIN: portal.host, PROTOCOL: 0, PATH: "/rest", ...auth, MEMBER_ID: portal.memberId,
    FIRST_RUN: isFirstRun(portal, r.user.id), IS_ADMIN: r.user.admin, INSTALL: r.install,
    USER_OPTIONS: { ...(portal.userOptions.get(r.user.id) ?? {}) }, APP_OPTIONS: { ...portal.appOptions },
    PLACEMENT: r.placement, PLACEMENT_OPTIONS: parsed,
  };
  return {
    sid, name: `${portal.host}|0|${sid}`, kind: r.kind, placement: r.placement,
    action: `${r.target}${r.target.includes("?") ? "&" : "?"}${query.toString()}`,
    appOrigin: new URL(r.target).origin, fields, init,
  };
}

/** The hidden form and the iframe it targets, as the core template renders them (allow list included). */
export function frameHtml(spec: FrameSpec, ids: { form: string; frame: string }, style: string): string {
  const inputs = Object.entries(spec.fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
  return `<form id="${ids.form}" method="post" target="${escapeHtml(spec.name)}" action="${escapeHtml(spec.action)}">${inputs}</form>
<iframe id="${ids.frame}" name="${escapeHtml(spec.name)}" title="Application" allow="geolocation *; microphone *; camera *; autoplay *;" style="${style}"></iframe>`;
}

/** The part of a spec the page script keeps (the form is already in the HTML). */
export function clientSpec(spec: FrameSpec) {
  return { sid: spec.sid, name: spec.name, kind: spec.kind, placement: spec.placement, appOrigin: spec.appOrigin, init: spec.init };
}
