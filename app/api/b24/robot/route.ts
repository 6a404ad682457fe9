import { after } from "next/server";
import { handleRobotCall } from "@/lib/bitrix24";

/** Automation robot calls from Bitrix24 (form POST). Everything else is in lib/bitrix24/lifecycle/robots.ts. */
export async function POST(req: Request): Promise<Response> {
  return handleRobotCall(req, after);
}
