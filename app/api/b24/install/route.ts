import { installApp, openFromPortalPage } from "@/lib/bitrix24";

/** The install URL ("Installation application link"): the portal's frame POSTs here until installFinish. */
export const POST = (req: Request) => installApp(req);
export const GET = () => openFromPortalPage();
