import { proxyCall } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/**
 * The REST proxy with an empty method name (POST /api/b24/ is redirected here by Next's trailing-slash rule): the
 * same handler as /api/b24/{method}, so it answers 401 without a session and 400 (invalid method name) with one,
 * never a 404 and never a call to the portal.
 */
export const POST = withRequestId(async (req: Request): Promise<Response> => {
  return proxyCall(req, "");
});
