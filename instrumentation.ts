/**
 * Next.js calls this once when a server process starts. In the default single-instance mode the web process runs
 * the inbox's queued work itself, so it first picks up whatever a previous process left due (a crash or a deploy
 * between a delivery's answer and its handler's end), and schedules the background sweeps (inbox/maintenance.ts).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { kickInbox } = await import("@/lib/bitrix24/inbox/pump");
  const { startMaintenance } = await import("@/lib/bitrix24/inbox/maintenance");
  const { env } = await import("@/lib/env");
  try {
    void kickInbox();
    // With separate workers, they schedule the background sweeps themselves (scripts/worker.ts).
    if (env().B24_WORKER_MODE === "web") startMaintenance(() => void kickInbox());
  } catch (err) {
    console.error("inbox: not started:", err instanceof Error ? err.message : String(err));
  }
}
