"use server";
import { getPortalSession } from "@/lib/auth";
import { bindAppEvents } from "@/lib/bitrix24";
import { toErrorBody, type B24ErrorCode } from "@/lib/errors";
import { log } from "@/lib/log";

/**
 * A failure names what the page words in its language: `not_admin` (install.notAdmin), or an error code
 * (errors.<code>.text) with the server's English message as its detail.
 */
export type BindFailure = { kind: "not_admin" } | { kind: "error"; code: B24ErrorCode; detail: string };
export type BindState = { ok: true; bound: string[]; already: string[]; placements: string[]; robots: string[] } | { ok: false; failure: BindFailure };

/** The install page's one server-side step: bind the app's events, placements and robots on the signed-in admin's portal. */
export async function bindEvents(): Promise<BindState> {
  const session = await getPortalSession();
  if (!session?.isAdmin) return { ok: false, failure: { kind: "not_admin" } };
  try {
    const { bound, already, placements, robots } = await bindAppEvents(session.memberId);
    return { ok: true, bound, already, placements: [...placements.bound, ...placements.kept], robots: [...robots.added, ...robots.updated] };
  } catch (err) {
    log.warn("install.bind_failed", { memberId: session.memberId, err });
    const { body } = toErrorBody(err);
    return { ok: false, failure: { kind: "error", code: body.error, detail: body.message } };
  }
}
