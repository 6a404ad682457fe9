import { readiness } from "@/lib/health";
import { withRequestId } from "@/lib/request-context";

export const dynamic = "force-dynamic";

export const GET = withRequestId(async (): Promise<Response> => {
  const r = await readiness();
  return Response.json(r, { status: r.ok ? 200 : 503 });
});
