import { openApp, openFromPortalPage } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** The app URL ("Application link"): the portal's frame POSTs here every time someone opens the app. */
export const POST = withRequestId((req: Request) => openApp(req));
export const GET = withRequestId((req: Request) => openFromPortalPage(req));
