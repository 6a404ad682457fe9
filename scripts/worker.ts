// `npm run worker`: runs the inbox's queued work (event handlers, robots) outside the web process. Start one or
// more next to the app with B24_WORKER_MODE=separate; on PostgreSQL any number share the work, each job claimed by
// one worker at a time (lib/bitrix24/store/inbox.ts). SIGTERM/SIGINT finish the job in hand, then exit.
import { existsSync } from "node:fs";

// Like Next.js, read .env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");
const { drainInbox, workerId } = await import("@/lib/bitrix24/inbox/worker");
const { nextDueAt } = await import("@/lib/bitrix24/store/inbox");
const { db } = await import("@/lib/db");
const { startMaintenance } = await import("@/lib/bitrix24/inbox/maintenance");
const { flushRestLog } = await import("@/lib/bitrix24/rest-log");

const POLL_MS = Math.max(50, Number(process.env.B24_WORKER_POLL_MS) || 500);
const owner = workerId();
let stopping = false;
let wake: (() => void) | null = null;

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    stopping = true;
    wake?.();
  });
}

console.log(`worker ${owner}: started (poll ${POLL_MS} ms)`);
startMaintenance(() => wake?.());
while (!stopping) {
  try {
    if ((await drainInbox(owner, { maxJobs: 100 })) > 0) continue;
    const due = await nextDueAt();
    const waitMs = due ? Math.min(POLL_MS, Math.max(10, due.getTime() - Date.now())) : POLL_MS;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, waitMs);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    wake = null;
  } catch (err) {
    // A database outage: keep the process, try again after a pause.
    console.error(`worker ${owner}: ${err instanceof Error ? err.message : String(err)}`);
    await new Promise((r) => setTimeout(r, POLL_MS * 4));
  }
}
// The REST log's rows of the last requests are still queued in memory (lib/bitrix24/rest-log.ts).
await flushRestLog();
await db().$disconnect();
console.log(`worker ${owner}: stopped`);
