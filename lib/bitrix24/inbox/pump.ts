import "server-only";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { outsideRequest } from "@/lib/request-context";
import { nextDueAt } from "../store/inbox";
import { drainInbox, workerId } from "./worker";

/**
 * The web process's own worker, for the single-instance default (B24_WORKER_MODE=web): a delivery that queued work
 * kicks it after the answer; it drains what is due, then sleeps until the next retry is due. One drain at a time
 * per process; a kick during a drain makes it look again. With B24_WORKER_MODE=separate it does nothing and
 * `npm run worker` processes do the work.
 */
interface Pump {
  owner: string;
  running: Promise<void> | null;
  again: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

const pump = () => processLocal<Pump>("inbox-pump", () => ({ owner: workerId(), running: null, again: false, timer: null }));

export function kickInbox(): Promise<void> {
  if (env().B24_WORKER_MODE !== "web") return Promise.resolve();
  const p = pump();
  if (p.running) {
    p.again = true;
    return p.running;
  }
  // The drain runs every due job, not only the kicking request's: its log lines carry no requestId.
  p.running = outsideRequest(async () => {
    do {
      p.again = false;
      await drainInbox(p.owner);
    } while (p.again);
    const due = await nextDueAt();
    if (p.timer) clearTimeout(p.timer);
    p.timer = due ? setTimeout(() => void kickInbox(), Math.max(0, due.getTime() - Date.now()) + 20) : null;
    p.timer?.unref?.();
  })
    .catch((err: unknown) => log.error("b24.inbox.pump_failed", { err }))
    .finally(() => {
      p.running = null;
    });
  return p.running;
}
