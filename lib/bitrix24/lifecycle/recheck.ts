import "server-only";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { clientFor } from "../clients";
import { isB24Error } from "@/lib/errors";
import { findPortal, transitionPortal } from "../store/portals";
import { recordAppInfo } from "../store/licence";

/**
 * The way out of `blocked` without a reinstall: ask Bitrix24 again. ONAPPPAYMENT carries no application_token
 * (https://apidocs.bitrix24.com/api-reference/common/events/on-app-payment.html), so the delivery itself proves nothing; it only prompts this re-check, which asks
 * the portal's own `app.info` with the installer's stored pair. Only Bitrix24's answer moves the portal.
 */
export type RecheckOutcome = "active" | "blocked" | "not_blocked" | "no_installer" | "throttled" | "failed";

/** An unauthenticated hint can arrive at any rate; one re-check per portal and process in this window. */
export const RECHECK_MIN_INTERVAL_MS = 10_000;
const lastRecheck = processLocal("b24.recheck.last", () => new Map<string, number>());

interface AppInfo {
  PAYMENT_EXPIRED?: string;
  STATUS?: string;
}

export async function recheckBlockedPortal(memberId: string, now = Date.now()): Promise<RecheckOutcome> {
  const portal = await findPortal(memberId);
  if (!portal || portal.status !== "blocked") return "not_blocked";
  if (portal.installedBy === null) return "no_installer";
  if (now - (lastRecheck.get(memberId) ?? 0) < RECHECK_MIN_INTERVAL_MS) return "throttled";
  lastRecheck.set(memberId, now);

  const owner = { memberId, kind: "portal" as const, bitrixUserId: portal.installedBy };
  const client = clientFor(owner, { probe: true });
  let info: AppInfo;
  try {
    info = (await client.call<AppInfo>("app.info")).result;
  } catch (err) {
    // PAYMENT_REQUIRED again keeps the block (the client records it); a dead installer pair needs an admin's open.
    log.info("b24.recheck.refused", { memberId, reason: isB24Error(err) ? err.code : "internal", upstream: isB24Error(err) ? err.upstream : undefined });
    return isB24Error(err) && err.code === "needs_reauth" ? "no_installer" : "failed";
  }
  // Bitrix24's answer is the licence snapshot too (lib/bitrix24/licence.ts), whatever it says.
  await recordAppInfo(memberId, info);
  if (info.PAYMENT_EXPIRED === "Y") return "blocked";
  const status = await transitionPortal(memberId, "payment_confirmed", null, info.STATUS ? { appStatus: info.STATUS } : {});
  log.info("b24.recheck.unblocked", { memberId, status });
  return status === "active" ? "active" : "not_blocked";
}
