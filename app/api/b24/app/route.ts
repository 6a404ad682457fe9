import { openApp, openFromPortalPage } from "@/lib/bitrix24";

/** The app URL ("Application link"): the portal's frame POSTs here every time someone opens the app. */
export const POST = (req: Request) => openApp(req);
export const GET = () => openFromPortalPage();
