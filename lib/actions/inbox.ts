"use server";
import { getPortalSession } from "@/lib/auth";
import { retryInboxJob } from "@/lib/bitrix24";

/** Why a retry was refused; the button says it in the page's language (messages dashboard.retryJob.errors). */
export type RetryError = "forbidden" | "unknown_job" | "not_waiting";
export type RetryState = { ok: true } | { ok: false; error: RetryError };

/** The doctor's Retry on a dead job: administrators only, and only a job of their own portal. */
export async function retryJob(id: string): Promise<RetryState> {
  const session = await getPortalSession();
  if (!session?.isAdmin) return { ok: false, error: "forbidden" };
  if (typeof id !== "string" || id.length > 64) return { ok: false, error: "unknown_job" };
  return (await retryInboxJob(id, session.memberId)) ? { ok: true } : { ok: false, error: "not_waiting" };
}
