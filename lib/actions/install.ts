"use server";
import { getPortalSession } from "@/lib/auth";
import { bindAppEvents } from "@/lib/bitrix24";
import { toErrorBody } from "@/lib/errors";
import { log } from "@/lib/log";

export type BindState = { ok: true; bound: string[]; already: string[]; placements: string[]; robots: string[] } | { ok: false; error: string };

/** The install page's one server-side step: bind the app's events, placements and robots on the signed-in admin's portal. */
export async function bindEvents(): Promise<BindState> {
  const session = await getPortalSession();
  if (!session?.isAdmin) return { ok: false, error: "Only a Bitrix24 administrator can install this app." };
  try {
    const { bound, already, placements, robots } = await bindAppEvents(session.memberId);
    return { ok: true, bound, already, placements: [...placements.bound, ...placements.kept], robots: [...robots.added, ...robots.updated] };
  } catch (err) {
    log.warn("install.bind_failed", { memberId: session.memberId, err });
    return { ok: false, error: toErrorBody(err).body.message };
  }
}
