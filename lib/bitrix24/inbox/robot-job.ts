import "server-only";
import { isB24Error } from "@/lib/errors";
import { clientFor } from "../clients";
import { DEAL_DOCUMENT, type RobotPayload } from "../lifecycle/robots";
import type { RobotResult } from "../manifest";
import { robotSpec } from "../registry";
import type { ClaimedJob } from "../store/inbox";
import { findPortal } from "../store/portals";
import { Permanent } from "./permanent";

/**
 * One robot call stored by /api/b24/robot (lifecycle/robots.ts): the manifest's handler runs as the installer, then
 * its values go back to the waiting automation step with bizproc.event.send (RETURN_VALUES, declared keys only).
 * Runs at least once: when a run answered the step and died before its outcome was written, the retry runs the
 * handler again and Bitrix24 refuses the used event token (ACCESS_DENIED); that counts as done.
 */
function payloadOf(job: ClaimedJob): RobotPayload {
  const p = job.payload as Partial<RobotPayload> | null;
  const strings = (o: unknown): o is Record<string, string> => !!o && typeof o === "object" && Object.values(o).every((v) => typeof v === "string");
  if (!p || p.code !== job.name || typeof p.eventToken !== "string" || typeof p.documentId !== "string" || !DEAL_DOCUMENT.test(p.documentId) || !strings(p.properties)) {
    throw new Permanent("The stored robot call is malformed.");
  }
  return { code: p.code, documentId: p.documentId, properties: p.properties, eventToken: p.eventToken, ts: typeof p.ts === "string" ? p.ts : null };
}

/** Only values for declared return properties, and only plain values. */
function returnValues(declared: readonly string[], result: RobotResult | void): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of declared) {
    const v = result && Object.hasOwn(result, key) ? result[key] : undefined;
    if (typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out[key] = v;
  }
  return out;
}

export async function runRobotJob(job: ClaimedJob): Promise<void> {
  const spec = robotSpec(job.name);
  if (!spec) throw new Permanent(`No robot ${job.name} in bitrix24.app.ts any more.`);
  const portal = await findPortal(job.memberId);
  if (!portal || portal.status === "uninstalled") throw new Permanent("The app is not installed on this portal any more.");
  if (portal.installedBy === null) throw new Error("No installer's connection is stored: open the app from Bitrix24 as an administrator.");
  const p = payloadOf(job);
  const b24 = clientFor({ memberId: job.memberId, kind: "portal", bitrixUserId: portal.installedBy });
  const result = await spec.handler({
    memberId: job.memberId,
    code: job.name,
    documentId: p.documentId,
    dealId: Number(DEAL_DOCUMENT.exec(p.documentId)![1]),
    properties: p.properties,
    idempotencyKey: job.dedupKey,
    attempt: job.attempt,
    b24,
  });
  try {
    await b24.call("bizproc.event.send", {
      EVENT_TOKEN: p.eventToken,
      RETURN_VALUES: returnValues(Object.keys(spec.returnProperties ?? {}), result),
      LOG_MESSAGE: `${spec.name.en}: done.`,
    });
  } catch (err) {
    if (!(isB24Error(err) && err.upstream === "ACCESS_DENIED")) throw err;
    // A retry: an earlier run most likely answered the step already (the token works once). Done.
    if (job.attempt > 1) return;
    // The first run: the step no longer waits (timed out, or the token is not Bitrix24's); no retry can change that.
    throw new Permanent("Bitrix24 refused the robot's event token: the automation step no longer waits for an answer.");
  }
}
