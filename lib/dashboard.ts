import "server-only";
import type { PortalSession } from "@/lib/auth";
import { findPortal, findUser, loadHealth, userClient } from "@/lib/bitrix24";
import { LAST_DEAL_OPTION, type LastDeal } from "@/lib/handlers/on-deal-add";
import { LAST_UPDATE_OPTION } from "@/lib/handlers/on-deal-update";
import { log } from "@/lib/log";

/** Everything the dashboard shows, read by (memberId, bitrixUserId) from the session. No secrets. */
export async function dashboardData(s: PortalSession) {
  const [portal, user, tokens, deals] = await Promise.all([
    findPortal(s.memberId),
    findUser(s.memberId, s.bitrixUserId),
    loadHealth({ memberId: s.memberId, kind: "user", bitrixUserId: s.bitrixUserId }),
    lastDeals(s),
  ]);
  if (!portal || !user) return null;
  const lastDeal = deals === "unknown" ? deals : deals.added;
  const lastUpdate = deals === "unknown" ? deals : deals.updated;
  return { portal, user, tokens, lastDeal, lastUpdate, scopes: portal.scope.split(/[,\s]+/).filter(Boolean) };
}

function parseDeal(raw: unknown): LastDeal | null {
  if (typeof raw !== "string") return null;
  try {
    const parsed = JSON.parse(raw) as Partial<LastDeal>;
    return typeof parsed.id === "string" && typeof parsed.title === "string" && typeof parsed.at === "string" ? { id: parsed.id, title: parsed.title, at: parsed.at } : null;
  } catch {
    return null;
  }
}

/**
 * What the deal handlers (lib/handlers/on-deal-add.ts, on-deal-update.ts) recorded in the app's options on the
 * portal, read in one call. "unknown" when Bitrix24 cannot be asked right now; the dashboard still renders.
 */
async function lastDeals(s: PortalSession): Promise<{ added: LastDeal | null; updated: LastDeal | null } | "unknown"> {
  try {
    const { result } = await userClient(s, { interactive: true }).call<unknown>("app.option.get", {});
    const options = result && typeof result === "object" ? (result as Record<string, unknown>) : {};
    return { added: parseDeal(options[LAST_DEAL_OPTION]), updated: parseDeal(options[LAST_UPDATE_OPTION]) };
  } catch (err) {
    log.info("dashboard.last_deal_unavailable", { memberId: s.memberId, err });
    return "unknown";
  }
}
