import { proxyCall } from "@/lib/bitrix24";

/** REST proxy for the app's pages: POST /api/b24/{method} with a JSON body. Everything else is in lib/bitrix24/proxy.ts. */
export async function POST(req: Request, { params }: { params: Promise<{ method: string }> }): Promise<Response> {
  return proxyCall(req, (await params).method);
}
