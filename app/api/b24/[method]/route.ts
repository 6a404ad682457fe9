import { proxyCall } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** REST proxy for the app's pages: POST /api/b24/{method} with a JSON body. Everything else is in lib/bitrix24/proxy.ts. */
export const POST = withRequestId(async (req: Request, { params }: { params: Promise<{ method: string }> }): Promise<Response> => {
  return proxyCall(req, (await params).method);
});
