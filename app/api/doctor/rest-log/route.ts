import { getPortalSession } from "@/lib/auth";
import { restLogLines, restLogSettings } from "@/lib/bitrix24";
import { B24Error } from "@/lib/errors";
import { errorJson, PRIVATE_NO_STORE } from "@/lib/http/responses";
import { withRequestId } from "@/lib/request-context";

export const dynamic = "force-dynamic";

/** `?days=N` narrows the download; absent, the whole retention. Never beyond the retention. */
function daysOf(raw: string | null, retention: number): number {
  if (raw === null) return retention;
  const days = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || days < 1) throw new B24Error("bad_request", "days must be a whole number of days, 1 or more.");
  return Math.min(days, retention);
}

/** The signed-in administrator's own portal's REST log as JSON lines (README "REST log"); 403 for anyone else. */
export const GET = withRequestId(async (req: Request): Promise<Response> => {
  try {
    const session = await getPortalSession();
    if (!session) throw new B24Error("unauthenticated", "Sign in first.");
    if (!session.isAdmin) throw new B24Error("forbidden", "Only a Bitrix24 administrator can download the REST log.");
    const days = daysOf(new URL(req.url).searchParams.get("days"), restLogSettings().days);
    const file = `rest-log-${session.portalHost.replace(/[^a-z0-9.-]/gi, "_")}-${new Date().toISOString().slice(0, 10)}.jsonl`;
    return new Response(restLogLines(session.memberId, days), {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="${file}"`,
        "cache-control": PRIVATE_NO_STORE,
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return errorJson(err);
  }
});
