import "server-only";
import type { PortalSession } from "@/lib/auth";
import { env } from "@/lib/env";
import { isB24Error, toErrorBody } from "@/lib/errors";
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
 */
export interface Problem {
  severity: "error" | "warning";
  text: string;
  fix: string;
  /** The page offers this action next to the fix. */
  action?: "sign_in_again";
}

export interface TokenCheck {
  label: string;
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
  askedWith: string;
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
const REINSTALL = "Reinstall the app from Bitrix24 (Applications → the app → Reinstall), then open it once as an administrator.";
/** What recovers each bad state (states.ts); the README's state table says the same. */
const FIX = {
  installerPair: "Open the app from Bitrix24 as an administrator: that stores a fresh installer's connection, no reinstall needed. Reinstalling also works.",
  ownPair: "Sign in again, or open the app from Bitrix24: either stores a fresh connection for you.",
  blocked: "Renew the app's subscription in Bitrix24 (or restore the portal). The app notices by itself: Bitrix24 sends ONAPPPAYMENT after a payment, and any open of the app from Bitrix24 or a sign-in proves the portal works again.",
  uninstalled: "Install the app again from the Bitrix24 Market and open it once as an administrator; the new installation brings a new application token.",
  untrustedEndpoint: "Sign in again or open the app from Bitrix24: a verified answer with an acceptable REST address clears this. If it comes back, the OAuth server keeps reporting an address this app refuses (plain http, an IP address, a port, or a name that resolves to a private network); check the portal's address in Bitrix24.",
  notInstalled: "Install the app from Bitrix24 (Market, or Developer resources → Other → Local application) and open it once as an administrator: the installer stores the installer's connection and binds the events.",
};

async function tokenCheck(label: string, owner: TokenOwner | null): Promise<TokenCheck> {
  const row = owner && (await loadHealth(owner));
  return { label, present: row !== null, status: row?.status ?? null, expiresAt: row?.expiresAt ?? null, lastRefreshAt: row?.lastRefreshAt ?? null, refreshFailures: row?.refreshFailures ?? 0, lastError: row?.lastError ?? null };
}

function tokenProblems(t: TokenCheck, fix: string, action?: Problem["action"]): Problem[] {
  if (!t.present) return [{ severity: "error", text: `${t.label}: no token pair is stored.`, fix, action }];
  if (t.status !== "active") return [{ severity: "error", text: `${t.label}: Bitrix24 no longer accepts this connection (${t.lastError ?? t.status}).`, fix, action }];
  if (t.refreshFailures > 0) {
    return [{ severity: "warning", text: `${t.label}: the last ${t.refreshFailures} refresh attempt(s) failed (${t.lastError ?? "unknown"}).`, fix: "Check that this server can reach Bitrix24's OAuth server; refreshes are retried automatically with backoff." }];
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
    tokenCheck("Installer's connection (used for background work)", portalOwner),
    tokenCheck("Your own connection", { memberId: portal.memberId, kind: "user", bitrixUserId: session.bitrixUserId }),
  ]);
  const setup: DoctorReport["setup"] = portal.installedBy === null && portal.applicationToken === null ? "signed_in_only" : "installed";
  const problems: Problem[] = [];
  if (setup === "signed_in_only") {
    problems.push({ severity: "warning", text: "You signed in directly, but Bitrix24 has not told this app about an installation on this portal, so there is no installer's connection for background work and no events are bound.", fix: FIX.notInstalled });
  }
  if (portal.status === "blocked") problems.push({ severity: "error", text: `Bitrix24 blocked the app on this portal (${portal.statusReason ?? "no reason given"}).`, fix: FIX.blocked });
  if (portal.status === "active" && portal.statusReason === UNTRUSTED_ENDPOINT) {
    problems.push({ severity: "error", text: "Bitrix24's OAuth server reported a REST address for this portal that this app refuses to call, so that connection was closed and nothing was sent there.", fix: FIX.untrustedEndpoint });
  }
  if (portal.status === "uninstalled") problems.push({ severity: "error", text: "The app was uninstalled from this portal.", fix: FIX.uninstalled });
  if (setup === "installed") problems.push(...tokenProblems(tokens[0]!, FIX.installerPair));
  // The installer who has not opened the app since acts with the installer's pair (clients.ts actingOwner): no own pair is fine.
  const actsAsInstaller = !tokens[1]!.present && portal.installedBy === session.bitrixUserId && tokens[0]!.status === "active";
  if (!actsAsInstaller) problems.push(...tokenProblems(tokens[1]!, FIX.ownPair, "sign_in_again"));

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
        problems.push({ severity: "warning", text: `Bitrix24 refused ${BATCH_METHODS[key] ?? key}: ${e.error}.`, fix: "Make sure the installer's account is still a Bitrix24 administrator; otherwise reinstall the app as one." });
      }
    } catch (err) {
      const dead = isB24Error(err) && err.code === "needs_reauth";
      const message = dead ? `Bitrix24 no longer accepts ${usePortalPair ? "the installer's" : "your"} connection` : toErrorBody(err).body.message;
      problems.push({ severity: "error", text: `Bitrix24 could not be asked about this installation: ${message}`, fix: dead ? (usePortalPair ? FIX.installerPair : FIX.ownPair) : REINSTALL, action: dead && !usePortalPair ? "sign_in_again" : undefined });
    }
  }
  if (appInfo && !appInfo.installed) problems.push({ severity: "error", text: "Bitrix24 reports the installation as not finished; events are not delivered and users see \"not fully installed\".", fix: "Open the app in Bitrix24 as an administrator; the installer finishes it." });
  if (appInfo?.paymentExpired) problems.push({ severity: "error", text: "The app's paid period has expired on this portal.", fix: "Renew the app's subscription in the Bitrix24 Market." });

  const missingScopes = required.filter((s) => !granted.includes(s));
  if (missingScopes.length) problems.push({ severity: "error", text: `Missing permissions: ${missingScopes.join(", ")}.`, fix: `Add ${missingScopes.join(", ")} to the app's permissions in the Bitrix24 developer account, then reinstall the app from Bitrix24.` });
  const expected = [...boundEvents(), ...offlineEvents().map((e) => `${e} (offline)`)];
  const missingEvents = expected.filter((e) => !bound.includes(e));
  if (appInfo && setup === "installed" && missingEvents.length) problems.push({ severity: "error", text: `Events not bound to this app: ${missingEvents.join(", ")}.`, fix: REINSTALL });
  const missingPlacements = placed ? placements.filter((p) => !placed.includes(p)) : [];
  if (setup === "installed" && missingPlacements.length) problems.push({ severity: "error", text: `Placements not bound: ${missingPlacements.join(", ")}.`, fix: REINSTALL });
  const missingRobots = registered ? robots.filter((r) => !registered.includes(r)) : [];
  if (setup === "installed" && missingRobots.length) problems.push({ severity: "error", text: `Robots not registered: ${missingRobots.join(", ")}.`, fix: REINSTALL });
  const cfg = b24Config();
  const oauthOrigin = portal.oauthServer ?? defaultServer(cfg).origin;
  const oauthServer = { origin: oauthOrigin, configured: cfg.servers.some((s) => s.origin === oauthOrigin) };
  if (!oauthServer.configured) problems.push({ severity: "error", text: `This portal's tokens were issued by ${oauthServer.origin}, which this deployment no longer lists, so they cannot be refreshed.`, fix: "Add the server back to B24_OAUTH_SERVERS with its client id and secret, and restart the app." });
  const inbox = { counts: await jobCounts(portal.memberId), dead: await deadJobs(portal.memberId) };
  if (inbox.counts.dead) problems.push({ severity: "error", text: `${inbox.counts.dead} queued job(s) stopped after their last attempt (see Queued work).`, fix: "Read each job's last error and fix its cause (a handler bug, a missing permission), then press Retry next to it." });
  if (!portal.lastEventAt && setup === "installed") problems.push({ severity: "warning", text: "No event from Bitrix24 has reached the app yet.", fix: `Make sure ${appOrigin}/api/b24/events is reachable from the internet: Bitrix24 sends events from its own servers.` });

  return {
    setup,
    portal: { domain: portal.domain, memberId: portal.memberId, status: portal.status, statusReason: portal.statusReason, installedBy: portal.installedBy, installedAt: portal.installedAt, lastEventName: portal.lastEventName, lastEventAt: portal.lastEventAt },
    oauthServer,
    appInfo,
    askedWith: usePortalPair ? "the installer's connection" : "your own connection",
    scopes: { granted, required, missing: missingScopes },
    events: { bound: [...new Set(bound)], expected, missing: missingEvents },
    placements: placed ? { bound: [...new Set(placed)], expected: placements, missing: missingPlacements } : null,
    robots: registered ? { registered: [...new Set(registered)], expected: robots, missing: missingRobots } : null,
    tokens,
    inbox,
    problems,
  };
}
