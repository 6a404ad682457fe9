import { after } from "next/server";
import { handleRobotCall } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

/** Automation robot calls from Bitrix24 (form POST). Everything else is in lib/bitrix24/lifecycle/robots.ts. */
export const POST = withRequestId(async (req: Request): Promise<Response> => {
  return handleRobotCall(req, after);
});
