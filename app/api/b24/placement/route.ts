import { openApp, openFromPortalPage } from "@/lib/bitrix24";

/** The placement handler URL bound with placement.bind: verified like the app URL, then routed by PLACEMENT. */
export const POST = (req: Request) => openApp(req);
export const GET = () => openFromPortalPage();
