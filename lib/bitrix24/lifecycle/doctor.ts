import "server-only";
import type { PortalSession } from "@/lib/auth";
import { env } from "@/lib/env";
import { isB24Error, toErrorBody } from "@/lib/errors";
import type { Messages } from "@/lib/i18n/messages";
import { clientFor, userClient } from "../clients";
import { boundEvents, offlineEvents, declaredPlacements, declaredRobots, requiredScopes } from "../registry";
import { placementHandlerUrl } from "./placements";
import { deadJobs, jobCounts, type DeadJob, type JobStatus } from "../store/inbox";
import { findPortal, UNTRUSTED_ENDPOINT } from "../store/portals";
import { b24Config } from "../config";
import { defaultServer } from "../oauth/servers";
import { loadHealth, type TokenOwner } from "../store/token-store";

/**
 * The install doctor: what Bitrix24 says about this installation next to what the app expects, for an admin,
 * each problem with the one thing to do about it. Read-only: one batch (app.info, event.get, scope, placement.get
 * when the manifest declares placements, bizproc.robot.list when it declares robots) and token metadata, never tokens.
 * Problems are message keys of the `doctor` catalogue with their values, so the page says them in the reader's language.
 */
export type ProblemCode = keyof Messages["doctor"]["problem"];
export type FixCode = keyof Messages["doctor"]["fix"];
/** Whose token pair: the installer's (background work) or the signed-in person's own. */
export type Connection = "installer" | "own";

export interface Problem {
  severity: "error" | "warning";
  /** doctor.problem.<code>: what is wrong. */
  code: ProblemCode;
  /** doctor.fix.<fix>: the one thing to do about it. */
  fix: FixCode;
  /** The messages' arguments (data such as scope or event names, never translated). */
  values: Record<string, string | number>;
  /** The pair a token problem is about: the page names it as `{connection}`. */
  connection?: Connection;
  /** The page offers this action next to the fix. */
  action?: "sign_in_again";
}

export interface TokenCheck {
  connection: Connection;
  present: boolean;
  status: string | null;
  expiresAt: Date | null;
  lastRefreshAt: Date | null;
  refreshFailures: number;
  lastError: string | null;
}

export interface DoctorReport {
  /** `signed_in_only`: people signed in standalone, but Bitrix24 never told this app about an installation. */
  setup: "installed" | "signed_in_only";
  portal: { domain: string; memberId: string; status: string; statusReason: string | null; installedBy: number | null; installedAt: Date | null; lastEventName: string | null; lastEventAt: Date | null };
  /** The OAuth server (region) that issued this portal's tokens and refreshes them, and whether it is still configured. */
  oauthServer: { origin: string; configured: boolean };
  appInfo: { installed: boolean; status: string | null; paymentExpired: boolean; license: string | null } | null;
  askedWith: Connection;
  scopes: { granted: string[]; required: string[]; missing: string[] };
  events: { bound: string[]; expected: string[]; missing: string[] };
  placements: { bound: string[]; expected: string[]; missing: string[] } | null;
  /** bizproc.robot.list (this app's codes) next to the manifest's robots; null when none are declared or it was not answered. */
  robots: { registered: string[]; expected: string[]; missing: string[] } | null;
  tokens: TokenCheck[];
  /** Queued work (events, robots) of this portal: counts, and the jobs that failed for good. */
  inbox: { counts: Record<JobStatus, number>; dead: DeadJob[] };
  problems: Problem[];
}

const BATCH_METHODS: Record<string, string> = { info: "app.info", events: "event.get", scope: "scope", placements: "placement.get", robots: "bizproc.robot.list" };

async function tokenCheck(connection: Connection, owner: TokenOwner | null): Promise<TokenCheck> {
  const row = owner && (await loadHealth(owner));
  return { connection, present: row !== null, status: row?.status ?? null, expiresAt: row?.expiresAt ?? null, lastRefreshAt: row?.lastRefreshAt ?? null, refreshFailures: row?.refreshFailures ?? 0, lastError: row?.lastError ?? null };
}

/** What recovers a dead pair (states.ts); the README's state table says the same. */
const PAIR_FIX: Record<Connection, FixCode> = { installer: "installerPair", own: "ownPair" };

function tokenProblems(t: TokenCheck, action?: Problem["action"]): Problem[] {
  const connection = t.connection;
  const fix = PAIR_FIX[connection];
  if (!t.present) return [{ severity: "error", code: "tokenMissing", fix, values: {}, connection, action }];
  if (t.status !== "active") return [{ severity: "error", code: "tokenRejected", fix, values: { reason: t.lastError ?? t.status ?? "" }, connection, action }];
  if (t.refreshFailures > 0) {
    return [{ severity: "warning", code: "tokenRefreshFailing", fix: "checkOAuthReach", values: { failures: t.refreshFailures, reason: t.lastError ?? "?" }, connection }];
  }
  return [];
}

interface AppInfoResult {
  INSTALLED?: boolean;
  STATUS?: string;
  PAYMENT_EXPIRED?: string;
  LICENSE?: string;
}

export async function doctorReport(session: PortalSession): Promise<DoctorReport | null> {
  const portal = await findPortal(session.memberId);
  if (!portal) return null;
  const required = requiredScopes();
  const appOrigin = new URL(env().NEXTAUTH_URL).origin;
  const portalOwner: TokenOwner | null = portal.installedBy === null ? null : { memberId: portal.memberId, kind: "portal", bitrixUserId: portal.installedBy };
  const tokens = await Promise.all([
    tokenCheck("installer", portalOwner),
    tokenCheck("own", { memberId: portal.memberId, kind: "user", bitrixUserId: session.bitrixUserId }),
  ]);
  const setup: DoctorReport["setup"] = portal.installedBy === null && portal.applicationToken === null ? "signed_in_only" : "installed";
  const problems: Problem[] = [];
  if (setup === "signed_in_only") {
    problems.push({ severity: "warning", code: "signedInOnly", fix: "notInstalled", values: {} });
  }
  if (portal.status === "blocked") {
    const reason = portal.statusReason;
    problems.push({ severity: "error", code: reason ? "blocked" : "blockedNoReason", fix: "blocked", values: reason ? { reason } : {} });
  }
  if (portal.status === "active" && portal.statusReason === UNTRUSTED_ENDPOINT) {
    problems.push({ severity: "error", code: "untrustedEndpoint", fix: "untrustedEndpoint", values: {} });
  }
  if (portal.status === "uninstalled") problems.push({ severity: "error", code: "uninstalled", fix: "uninstalled", values: {} });
  if (setup === "installed") problems.push(...tokenProblems(tokens[0]!));
  // The installer who has not opened the app since acts with the installer's pair (clients.ts actingOwner): no own pair is fine.
  const actsAsInstaller = !tokens[1]!.present && portal.installedBy === session.bitrixUserId && tokens[0]!.status === "active";
  if (!actsAsInstaller) problems.push(...tokenProblems(tokens[1]!, "sign_in_again"));

  const usePortalPair = portalOwner !== null && tokens[0]!.present && tokens[0]!.status === "active";
  const b24 = usePortalPair ? clientFor(portalOwner) : userClient(session);
  let appInfo: DoctorReport["appInfo"] = null;
  // The portal's own answer (`scope`) when it gives one; else as the OAuth server reported them at the last verification.
  let granted = portal.scope.split(/[,\s]+/).filter(Boolean);
  let bound: string[] = [];
  let placed: string[] | null = null;
  const placements = declaredPlacements();
  let registered: string[] | null = null;
  const robots = declaredRobots();
  if (portal.status === "active") {
    try {
      const out = await b24.batch({
        info: "app.info",
        events: "event.get",
        scope: "scope",
        ...(placements.length ? { placements: "placement.get" } : {}),
        ...(robots.length ? { robots: "bizproc.robot.list" } : {}),
      });
      if (Array.isArray(out.result.robots)) registered = (out.result.robots as unknown[]).map(String);
      if (Array.isArray(out.result.scope)) granted = (out.result.scope as unknown[]).map(String);
      if (Array.isArray(out.result.placements)) {
        placed = (out.result.placements as Array<{ placement?: unknown; handler?: unknown }>)
          .filter((p) => p.handler === placementHandlerUrl())
          .map((p) => String(p.placement).toUpperCase());
      }
      const info = out.result.info as AppInfoResult | undefined;
      if (info) appInfo = { installed: info.INSTALLED === true, status: info.STATUS ?? null, paymentExpired: info.PAYMENT_EXPIRED === "Y", license: info.LICENSE ?? null };
      if (Array.isArray(out.result.events)) {
        const rows = out.result.events as Array<{ event?: unknown; handler?: unknown; offline?: unknown }>;
        bound = [
          ...rows.filter((b) => typeof b.handler === "string" && b.handler.startsWith(`${appOrigin}/`)).map((b) => String(b.event).toUpperCase()),
          // Offline bindings have no handler; event.get lists only this app's own.
          ...rows.filter((b) => Number(b.offline) === 1).map((b) => `${String(b.event).toUpperCase()} (offline)`),
        ];
      }
      for (const [key, e] of Object.entries(out.result_error)) {
        problems.push({ severity: "warning", code: "batchRefused", fix: "installerAdmin", values: { method: BATCH_METHODS[key] ?? key, error: e.error } });
      }
    } catch (err) {
      const via: Connection = usePortalPair ? "installer" : "own";
      if (isB24Error(err) && err.code === "needs_reauth") {
        problems.push({ severity: "error", code: "connectionDead", fix: PAIR_FIX[via], values: { via }, action: via === "own" ? "sign_in_again" : undefined });
      } else {
        // The reason is the error's own text (English, as the JSON API gives it), its code for the errors catalogue.
        const { error, message } = toErrorBody(err).body;
        problems.push({ severity: "error", code: "unreachable", fix: "reinstall", values: { reason: message, error } });
      }
    }
  }
  if (appInfo && !appInfo.installed) problems.push({ severity: "error", code: "notFinished", fix: "finishInstall", values: {} });
  if (appInfo?.paymentExpired) problems.push({ severity: "error", code: "paymentExpired", fix: "renew", values: {} });

  const missingScopes = required.filter((s) => !granted.includes(s));
  if (missingScopes.length) problems.push({ severity: "error", code: "missingScopes", fix: "addScopes", values: { scopes: missingScopes.join(", ") } });
  const expected = [...boundEvents(), ...offlineEvents().map((e) => `${e} (offline)`)];
  const missingEvents = expected.filter((e) => !bound.includes(e));
  if (appInfo && setup === "installed" && missingEvents.length) problems.push({ severity: "error", code: "missingEvents", fix: "reinstall", values: { events: missingEvents.join(", ") } });
  const missingPlacements = placed ? placements.filter((p) => !placed.includes(p)) : [];
  if (setup === "installed" && missingPlacements.length) problems.push({ severity: "error", code: "missingPlacements", fix: "reinstall", values: { placements: missingPlacements.join(", ") } });
  const missingRobots = registered ? robots.filter((r) => !registered.includes(r)) : [];
  if (setup === "installed" && missingRobots.length) problems.push({ severity: "error", code: "missingRobots", fix: "reinstall", values: { robots: missingRobots.join(", ") } });
  const cfg = b24Config();
  const oauthOrigin = portal.oauthServer ?? defaultServer(cfg).origin;
  const oauthServer = { origin: oauthOrigin, configured: cfg.servers.some((s) => s.origin === oauthOrigin) };
  if (!oauthServer.configured) problems.push({ severity: "error", code: "oauthServerGone", fix: "addServer", values: { origin: oauthServer.origin } });
  const inbox = { counts: await jobCounts(portal.memberId), dead: await deadJobs(portal.memberId) };
  if (inbox.counts.dead) problems.push({ severity: "error", code: "deadJobs", fix: "retryJobs", values: { count: inbox.counts.dead } });
  if (!portal.lastEventAt && setup === "installed") problems.push({ severity: "warning", code: "noEvents", fix: "eventsReachable", values: { url: `${appOrigin}/api/b24/events` } });

  return {
    setup,
    portal: { domain: portal.domain, memberId: portal.memberId, status: portal.status, statusReason: portal.statusReason, installedBy: portal.installedBy, installedAt: portal.installedAt, lastEventName: portal.lastEventName, lastEventAt: portal.lastEventAt },
    oauthServer,
    appInfo,
    askedWith: usePortalPair ? "installer" : "own",
    scopes: { granted, required, missing: missingScopes },
    events: { bound: [...new Set(bound)], expected, missing: missingEvents },
    placements: placed ? { bound: [...new Set(placed)], expected: placements, missing: missingPlacements } : null,
    robots: registered ? { registered: [...new Set(registered)], expected: robots, missing: missingRobots } : null,
    tokens,
    inbox,
    problems,
  };
}
