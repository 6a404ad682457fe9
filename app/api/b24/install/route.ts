import { installApp, openFromPortalPage } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** The install URL ("Installation application link"): the portal's frame POSTs here until installFinish. */
export const POST = withRequestId((req: Request) => installApp(req));
export const GET = withRequestId((req: Request) => openFromPortalPage(req));
