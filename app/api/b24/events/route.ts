import { after } from "next/server";
import { handleEventDelivery } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** Bitrix24 event deliveries and the no-UI install callback (form POST). Everything else is in lib/bitrix24/lifecycle/events.ts. */
export const POST = withRequestId(async (req: Request): Promise<Response> => {
  return handleEventDelivery(req, after);
});
