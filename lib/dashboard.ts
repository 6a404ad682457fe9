import "server-only";
import type { PortalSession } from "@/lib/auth";
import { findPortal, findUser } from "@/lib/bitrix24/store/portals";
import { loadHealth } from "@/lib/bitrix24/store/token-store";

/** Everything the dashboard shows, read by (memberId, bitrixUserId) from the session. No secrets. */
export async function dashboardData(s: PortalSession) {
  const [portal, user, tokens] = await Promise.all([
    findPortal(s.memberId),
    findUser(s.memberId, s.bitrixUserId),
    loadHealth({ memberId: s.memberId, kind: "user", bitrixUserId: s.bitrixUserId }),
  ]);
  if (!portal || !user) return null;
  return { portal, user, tokens, scopes: portal.scope.split(/[,\s]+/).filter(Boolean) };
}
