import "server-only";
import type { PortalSession } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { toErrorBody } from "./errors";
import { clientFor, userClient } from "./index";
import { APP_EVENTS } from "./install";
import type { TokenOwner } from "./token-store";

/**
 * The install doctor: what Bitrix24 says about this installation next to what the app expects, for an admin,
 * each problem with the one thing to do about it. Read-only: it calls app.info and event.get once (one
 * batch) and shows token metadata, never tokens.
 */
export interface Problem {
  severity: "error" | "warning";
  text: string;
  fix: string;
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
  portal: { domain: string; memberId: string; status: string; statusReason: string | null; installedBy: number | null; installedAt: Date | null; lastEventName: string | null; lastEventAt: Date | null };
  appInfo: { installed: boolean; status: string | null; paymentExpired: boolean; license: string | null } | null;
  askedWith: string;
  scopes: { granted: string[]; required: string[]; missing: string[] };
  events: { bound: string[]; expected: string[]; missing: string[] };
  tokens: TokenCheck[];
  problems: Problem[];
}

const REINSTALL = "Reinstall the app from Bitrix24 (Applications → the app → Reinstall), then open it once as an administrator.";

async function tokenCheck(label: string, owner: TokenOwner | null): Promise<TokenCheck> {
  const row = owner && await db().tokenPair.findUnique({
    where: { memberId_kind_bitrixUserId: { memberId: owner.memberId, kind: owner.kind, bitrixUserId: owner.bitrixUserId } },
    select: { status: true, expiresAt: true, lastRefreshAt: true, refreshFailures: true, lastError: true },
  });
  return { label, present: row !== null, status: row?.status ?? null, expiresAt: row?.expiresAt ?? null, lastRefreshAt: row?.lastRefreshAt ?? null, refreshFailures: row?.refreshFailures ?? 0, lastError: row?.lastError ?? null };
}

function tokenProblems(t: TokenCheck, fix: string): Problem[] {
  if (!t.present) return [{ severity: "error", text: `${t.label}: no token pair is stored.`, fix }];
  if (t.status !== "active") return [{ severity: "error", text: `${t.label}: Bitrix24 no longer accepts this connection (${t.status}).`, fix }];
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
  const portal = await db().portal.findUnique({ where: { memberId: session.memberId } });
  if (!portal) return null;
  const required = env().B24_REQUIRED_SCOPES;
  const appOrigin = new URL(env().NEXTAUTH_URL).origin;
  const portalOwner: TokenOwner | null = portal.installedBy === null ? null : { memberId: portal.memberId, kind: "portal", bitrixUserId: portal.installedBy };
  const tokens = await Promise.all([
    tokenCheck("Installer's connection (used for background work)", portalOwner),
    tokenCheck("Your own connection", { memberId: portal.memberId, kind: "user", bitrixUserId: session.bitrixUserId }),
  ]);
  const problems: Problem[] = [];
  if (portal.status !== "active") {
    problems.push({ severity: "error", text: `The portal is marked "${portal.status}"${portal.statusReason ? ` (${portal.statusReason})` : ""}.`, fix: portal.status === "blocked" ? "Renew the app's subscription in Bitrix24, then reinstall it." : REINSTALL });
  }
  problems.push(...tokenProblems(tokens[0]!, REINSTALL), ...tokenProblems(tokens[1]!, "Open the app from Bitrix24 again; that stores a fresh connection for you."));

  const usePortalPair = portalOwner !== null && tokens[0]!.present && tokens[0]!.status === "active";
  const b24 = usePortalPair ? clientFor(portalOwner) : userClient(session);
  let appInfo: DoctorReport["appInfo"] = null;
  // As the OAuth server reported them when the install or the last frame open was verified.
  const granted = portal.scope.split(/[,\s]+/).filter(Boolean);
  let bound: string[] = [];
  if (portal.status === "active") {
    try {
      const out = await b24.batch({ info: "app.info", events: "event.get" });
      const info = out.result.info as AppInfoResult | undefined;
      if (info) appInfo = { installed: info.INSTALLED === true, status: info.STATUS ?? null, paymentExpired: info.PAYMENT_EXPIRED === "Y", license: info.LICENSE ?? null };
      if (Array.isArray(out.result.events)) {
        bound = (out.result.events as Array<{ event?: unknown; handler?: unknown }>)
          .filter((b) => typeof b.handler === "string" && b.handler.startsWith(`${appOrigin}/`))
          .map((b) => String(b.event).toUpperCase());
      }
      for (const [key, e] of Object.entries(out.result_error)) {
        problems.push({ severity: "warning", text: `Bitrix24 refused ${key === "info" ? "app.info" : "event.get"}: ${e.error}.`, fix: "Make sure the installer's account is still a Bitrix24 administrator; otherwise reinstall the app as one." });
      }
    } catch (err) {
      problems.push({ severity: "error", text: `Bitrix24 could not be asked about this installation: ${toErrorBody(err).body.message}`, fix: REINSTALL });
    }
  }
  if (appInfo && !appInfo.installed) problems.push({ severity: "error", text: "Bitrix24 reports the installation as not finished; events are not delivered and users see \"not fully installed\".", fix: "Open the app in Bitrix24 as an administrator; the installer finishes it." });
  if (appInfo?.paymentExpired) problems.push({ severity: "error", text: "The app's paid period has expired on this portal.", fix: "Renew the app's subscription in the Bitrix24 Market." });

  const missingScopes = required.filter((s) => !granted.includes(s));
  if (missingScopes.length) problems.push({ severity: "error", text: `Missing permissions: ${missingScopes.join(", ")}.`, fix: `Add ${missingScopes.join(", ")} to the app's permissions in the Bitrix24 developer account, then reinstall the app from Bitrix24.` });
  const expected = [...APP_EVENTS];
  const missingEvents = expected.filter((e) => !bound.includes(e));
  if (appInfo && missingEvents.length) problems.push({ severity: "error", text: `Events not bound to this app: ${missingEvents.join(", ")}.`, fix: REINSTALL });
  if (!portal.lastEventAt) problems.push({ severity: "warning", text: "No event from Bitrix24 has reached the app yet.", fix: `Make sure ${appOrigin}/api/b24/events is reachable from the internet: Bitrix24 sends events from its own servers.` });

  return {
    portal: { domain: portal.domain, memberId: portal.memberId, status: portal.status, statusReason: portal.statusReason, installedBy: portal.installedBy, installedAt: portal.installedAt, lastEventName: portal.lastEventName, lastEventAt: portal.lastEventAt },
    appInfo,
    askedWith: usePortalPair ? "the installer's connection" : "your own connection",
    scopes: { granted, required, missing: missingScopes },
    events: { bound: [...new Set(bound)], expected, missing: missingEvents },
    tokens,
    problems,
  };
}
