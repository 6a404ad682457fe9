import "server-only";
import type { PortalSession } from "@/lib/auth";
import { db } from "@/lib/db";
import { loadHealth } from "@/lib/bitrix24/store/token-store";

/** Everything the dashboard shows, read by (memberId, bitrixUserId) from the session. No secrets. */
export async function dashboardData(s: PortalSession) {
  const [portal, user, tokens] = await Promise.all([
    db().portal.findUnique({
      where: { memberId: s.memberId },
      select: { domain: true, memberId: true, scope: true, status: true, appStatus: true, installedAt: true },
    }),
    db().user.findUnique({
      where: { memberId_bitrixUserId: { memberId: s.memberId, bitrixUserId: s.bitrixUserId } },
      select: { name: true, email: true, isAdmin: true, bitrixUserId: true },
    }),
    loadHealth({ memberId: s.memberId, kind: "user", bitrixUserId: s.bitrixUserId }),
  ]);
  if (!portal || !user) return null;
  return { portal, user, tokens, scopes: portal.scope.split(/[,\s]+/).filter(Boolean) };
}
