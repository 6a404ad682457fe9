import { openApp, openFromPortalPage } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** The placement handler URL bound with placement.bind: verified like the app URL, then routed by PLACEMENT. */
export const POST = withRequestId((req: Request) => openApp(req));
export const GET = withRequestId((req: Request) => openFromPortalPage(req));
