import "server-only";
import type { PortalSession } from "@/lib/auth";
import { findPortal, findUser, loadHealth, userClient } from "@/lib/bitrix24";
import { LAST_DEAL_OPTION, type LastDeal } from "@/lib/handlers/on-deal-add";
import { log } from "@/lib/log";

/** Everything the dashboard shows, read by (memberId, bitrixUserId) from the session. No secrets. */
export async function dashboardData(s: PortalSession) {
  const [portal, user, tokens, lastDeal] = await Promise.all([
    findPortal(s.memberId),
    findUser(s.memberId, s.bitrixUserId),
    loadHealth({ memberId: s.memberId, kind: "user", bitrixUserId: s.bitrixUserId }),
    lastDealAdded(s),
  ]);
  if (!portal || !user) return null;
  return { portal, user, tokens, lastDeal, scopes: portal.scope.split(/[,\s]+/).filter(Boolean) };
}

/**
 * What the ONCRMDEALADD handler (lib/handlers/on-deal-add.ts) recorded in the app's options on the portal. "unknown"
 * when Bitrix24 cannot be asked right now; the dashboard still renders.
 */
async function lastDealAdded(s: PortalSession): Promise<LastDeal | null | "unknown"> {
  try {
    const { result } = await userClient(s, { interactive: true }).call<unknown>("app.option.get", { option: LAST_DEAL_OPTION });
    if (typeof result !== "string") return null;
    const parsed = JSON.parse(result) as Partial<LastDeal>;
    return typeof parsed.id === "string" && typeof parsed.title === "string" && typeof parsed.at === "string" ? { id: parsed.id, title: parsed.title, at: parsed.at } : null;
  } catch (err) {
    log.info("dashboard.last_deal_unavailable", { memberId: s.memberId, err });
    return "unknown";
  }
}
