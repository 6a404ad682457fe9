import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getPortalSession, type PortalSession } from "@/lib/auth";

/**
 * The signed-in pages' one session guard: the layout of app/(app)/ calls it, and so may any page under it (React's
 * cache makes that one cookie decode per request). No session → the landing page.
 */
export const requirePortalSession = cache(async (): Promise<PortalSession> => {
  const session = await getPortalSession();
  if (!session) redirect("/");
  return session;
});
