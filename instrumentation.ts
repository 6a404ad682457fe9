/**
 * Next.js calls this once when a server process starts. In the default single-instance mode the web process runs
 * the inbox's queued work itself, so it first picks up whatever a previous process left due (a crash or a deploy
 * between a delivery's answer and its handler's end).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { kickInbox } = await import("@/lib/bitrix24/inbox/pump");
  try {
    void kickInbox();
  } catch (err) {
    console.error("inbox: not started:", err instanceof Error ? err.message : String(err));
  }
}
