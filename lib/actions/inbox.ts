"use server";
import { getPortalSession } from "@/lib/auth";
import { retryInboxJob } from "@/lib/bitrix24";

export type RetryState = { ok: true } | { ok: false; error: string };

/** The doctor's Retry on a dead job: administrators only, and only a job of their own portal. */
export async function retryJob(id: string): Promise<RetryState> {
  const session = await getPortalSession();
  if (!session?.isAdmin) return { ok: false, error: "Only a Bitrix24 administrator can retry queued work." };
  if (typeof id !== "string" || id.length > 64) return { ok: false, error: "Unknown job." };
  return (await retryInboxJob(id, session.memberId)) ? { ok: true } : { ok: false, error: "This job is no longer waiting for a retry." };
}
