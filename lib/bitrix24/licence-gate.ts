import "server-only";
import { redirect } from "next/navigation";
import type { PortalSession } from "@/lib/auth";
import { B24Error } from "@/lib/errors";
import { licenceOf } from "./licence";
import { ALLOWED_STATES, type Licence, type LicenceState } from "./licence-state";

/**
 * The gate of paid features for pages, route handlers and server actions. Apart from licence.ts because it needs
 * next/navigation, which the worker process (scripts/worker.ts, which re-reads licences daily) cannot load.
 */
export interface RequireLicenceOptions {
  /** States that may pass (default: free, local, trial, paid incl. its grace, subscription). */
  allow?: readonly LicenceState[];
  /** Pages redirect to the paywall; route handlers and server actions get a 402 B24Error instead. */
  onRefused?: "redirect" | "throw";
}

/** Gates a paid feature: the licence when it may be used, else the paywall (or a payment_required error). */
export async function requireLicence(who: PortalSession | string, opts: RequireLicenceOptions = {}): Promise<Licence> {
  const licence = await licenceOf(typeof who === "string" ? who : who.memberId);
  if ((opts.allow ?? ALLOWED_STATES).includes(licence.state)) return licence;
  if (opts.onRefused === "throw") throw new B24Error("payment_required", "This feature needs an active licence of the app. An administrator can buy or renew it in the Bitrix24 Market.");
  redirect("/paywall");
}
