import type { EmulatorState, PortalState } from "../state";
import type { BridgeLogEntry } from "../types";

export type { BridgeLogEntry };

/** What the portal knows about one rendered frame; the browser only ever names it by APP_SID. */
export type FrameKind = "app" | "placement" | "slider";

export interface FrameInfo {
  sid: string;
  userId: number;
  kind: FrameKind;
  placement: string;
  lang: string;
}


// Kept beside PortalState rather than in it: only the frame pages use these, and they die with the portal object.
const frames = new WeakMap<PortalState, Map<string, FrameInfo>>();
const installFlags = new WeakMap<PortalState, Set<string>>();
const logs = new WeakMap<EmulatorState, { seq: number; entries: BridgeLogEntry[] }>();

/** The version FIRST_RUN is keyed by (core: user option `params_<CLIENT_ID>_<VERSION>`); the emulator ships version 1. */
export const APP_VERSION = "1";

export function registerFrame(portal: PortalState, info: FrameInfo): void {
  let m = frames.get(portal);
  if (!m) frames.set(portal, (m = new Map()));
  m.set(info.sid, info);
  // launcherAuth (refreshAuth) and the REST side look frames up here.
  portal.frames.set(info.sid, info.userId);
}

export function frameInfo(portal: PortalState, sid: string | undefined): FrameInfo | null {
  if (!sid || !portal.frames.has(sid)) return null;
  return frames.get(portal)?.get(sid) ?? null;
}

export function isFirstRun(portal: PortalState, userId: number): boolean {
  return !installFlags.get(portal)?.has(`${userId}|${APP_VERSION}`);
}

/** `setInstall {install:true}`: this user has now opened this version. */
export function markInstallSeen(portal: PortalState, userId: number): void {
  let s = installFlags.get(portal);
  if (!s) installFlags.set(portal, (s = new Set()));
  s.add(`${userId}|${APP_VERSION}`);
}

const SECRET_KEYS = new Set(["AUTH_ID", "REFRESH_ID", "access_token", "refresh_token", "auth"]);

/** Tokens never go into the log, however deep an app puts them. */
export function redact(v: unknown, depth = 0): unknown {
  if (depth > 8 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEYS.has(k) ? "[redacted]" : redact(x, depth + 1)]));
}

/** Where one page's log post stands among that page's posts (they travel as separate requests and may overtake). */
const order = new WeakMap<BridgeLogEntry, { page: string; n: number }>();

export function addBridgeLog(
  state: EmulatorState, e: Omit<BridgeLogEntry, "seq" | "at" | "params"> & { params: unknown }, from?: { page: string; n: number },
): BridgeLogEntry {
  let l = logs.get(state);
  if (!l) logs.set(state, (l = { seq: 0, entries: [] }));
  const entry: BridgeLogEntry = { seq: ++l.seq, at: state.clock.nowMs(), ...e, params: redact(e.params) };
  let at = l.entries.length;
  if (from) {
    order.set(entry, from);
    // Step back over this page's entries that were sent later but arrived first; they keep their seq numbers in order.
    while (at > 0) {
      const o = order.get(l.entries[at - 1]!);
      if (!o || o.page !== from.page || o.n < from.n) break;
      at--;
    }
  }
  l.entries.splice(at, 0, entry);
  for (let i = at, seq = entry.seq - (l.entries.length - 1 - at); i < l.entries.length; i++, seq++) l.entries[i]!.seq = seq;
  // Bounded: a test that loops resizeWindow must not grow the emulator without limit.
  if (l.entries.length > 5000) l.entries.splice(0, l.entries.length - 5000);
  return entry;
}

export function bridgeLog(state: EmulatorState, memberId?: string, since = 0): BridgeLogEntry[] {
  return (logs.get(state)?.entries ?? []).filter((e) => e.seq > since && (!memberId || e.memberId === memberId));
}

export function clearBridgeLog(state: EmulatorState): void {
  logs.get(state)?.entries.splice(0);
}
