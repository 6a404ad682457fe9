import { eventAuth, postForm } from "../lifecycle/events";
import type { EmulatorState, PortalState } from "../state";
import type { RobotInfo, RobotRunInfo, RobotRunRequest, RobotRunResult } from "../types";
import { newActivityName, newEventId, newWorkflowId, signToken, type Robot, type RobotProperty, type RobotRun } from "./model";

/**
 * A robot step of a deal's automation, as the core's CBPRestActivity::execute runs it (extensions §4.2): the
 * portal queues one form-encoded POST to the robot's HANDLER and, unless USE_SUBSCRIPTION is N, the step waits for
 * bizproc.event.send with the event_token it sent.
 */
export class RobotRunError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const DOCUMENT_TYPE: [string, string, string] = ["crm", "CCrmDocumentDeal", "DEAL"];
/** The core caps a step's wait at 5 years. */
const MAX_TIMEOUT_SEC = 3600 * 24 * 365 * 5;

/** A waiting run whose timeout passed stops waiting (the scheduler's OnAgent event closes it with IsTimeout=1). */
export function expireRun(run: RobotRun, nowMs: number): void {
  if (run.status === "waiting" && run.expiresAt !== null && nowMs >= run.expiresAt) {
    run.status = "done";
    run.timedOut = true;
  }
}

function isTrue(v: unknown): boolean {
  return v === "Y" || v === true || v === "y" || v === 1 || v === "1";
}

/** Externalised like the core does for the REST context: bool as Y/N, numbers as strings, null as "". */
function outValue(prop: RobotProperty, v: unknown): unknown {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map((x) => outValue(prop, x));
  if (typeof v === "boolean") return String(prop.TYPE ?? "").toLowerCase() === "bool" ? (v ? "Y" : "N") : v ? "1" : "";
  if (typeof v === "number") return String(v);
  return v;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

/**
 * The values an automation step holds for the robot's declared properties: the given one, else the property's
 * Default, else "". A value for an undeclared property, or no value for a Required one, cannot be configured in a
 * portal, so the control refuses them instead of sending something a real portal never would.
 */
function propertyValues(robot: Robot, given: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(given)) {
    if (!(k in robot.properties)) throw new RobotRunError(400, `robot ${robot.code} declares no property ${k}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(robot.properties)) {
    const v = name in given ? given[name] : prop.DEFAULT;
    if (isTrue(prop.REQUIRED) && isEmptyValue(v)) throw new RobotRunError(400, `property ${name} of robot ${robot.code} is required`);
    out[name] = outValue(prop, v);
  }
  return out;
}

/** FILTER rules: `b24`/`box` (edition; the emulator is a cloud portal), another string = module id, or a full/partial document type. */
function ruleMatches(rule: unknown): boolean {
  if (typeof rule === "string") return rule === "b24" || rule === DOCUMENT_TYPE[0];
  const parts = rule !== null && typeof rule === "object" ? Object.values(rule) : [];
  return parts.length > 0 && parts.every((p, i) => p === DOCUMENT_TYPE[i]);
}

function availableForDeals(robot: Robot): boolean {
  const list = (v: unknown): unknown[] => (v !== null && typeof v === "object" ? Object.values(v) : v === undefined ? [] : [v]);
  const include = list(robot.filter?.INCLUDE);
  const exclude = list(robot.filter?.EXCLUDE);
  if (include.length > 0 && !include.some(ruleMatches)) return false;
  return !exclude.some(ruleMatches);
}

export async function runRobot(state: EmulatorState, portal: PortalState, req: RobotRunRequest): Promise<RobotRunResult> {
  const skipped = (reason: RobotRunResult["skipped"]): RobotRunResult => ({ delivery: null, eventToken: null, workflowId: null, skipped: reason });
  // The same gate as event deliveries: nothing runs for an app that is not (fully) installed; a blocked payment
  // makes the step fail before anything is sent ("Rest application status error: payment required").
  if (!portal.installed) return skipped("not-installed");
  if (!portal.installFinished) return skipped("install-not-finished");
  if (portal.paymentRequired) return skipped("payment-required");
  if (!req || typeof req.code !== "string" || !req.code) throw new RobotRunError(400, "code is required");
  const robot = portal.robots.find((r) => r.code === req.code);
  if (!robot) throw new RobotRunError(404, `robot ${req.code} is not registered (bizproc.robot.add)`);
  if (!availableForDeals(robot)) throw new RobotRunError(409, `robot ${req.code} is filtered out of deal automation (FILTER)`);
  const dealId = Number(req.documentId);
  if (!Number.isInteger(dealId) || !portal.deals.has(dealId)) throw new RobotRunError(404, `no deal ${String(req.documentId)}`);
  const userId = req.userId ?? (robot.authUserId > 0 ? robot.authUserId : null);
  if (userId !== null && !portal.users.some((u) => u.id === userId)) throw new RobotRunError(400, `no user ${userId}`);
  const properties = propertyValues(robot, req.properties ?? {});

  const now = state.clock.nowMs();
  const workflowId = newWorkflowId(now);
  const activityName = newActivityName();
  const eventId = newEventId();
  const eventToken = signToken(workflowId, activityName, eventId);
  const useSubscription = robot.useSubscription === "N" ? "N" : "Y";
  const timeoutDuration = Math.min(Math.max(0, Math.floor(Number(req.timeoutDuration ?? 0)) || 0), MAX_TIMEOUT_SEC);
  const documentId: [string, string, string] = ["crm", "CCrmDocumentDeal", `DEAL_${dealId}`];
  const run: RobotRun = {
    code: robot.code, workflowId, activityName, eventId, eventToken, dealId, documentId, documentType: [...DOCUMENT_TYPE],
    properties, useSubscription, timeoutDuration, userId, returnKeys: Object.keys(robot.returnProperties),
    status: useSubscription === "Y" ? "waiting" : "done", startedAt: now,
    expiresAt: useSubscription === "Y" && timeoutDuration > 0 ? now + timeoutDuration * 1000 : null,
    timedOut: false, log: [], deliverySeq: 0,
  };
  portal.robotRuns.push(run);
  const payload = {
    workflow_id: workflowId,
    code: robot.code,
    document_id: documentId,
    document_type: DOCUMENT_TYPE,
    event_token: eventToken,
    properties,
    use_subscription: useSubscription,
    timeout_duration: String(timeoutDuration),
    ts: String(state.clock.nowSec()),
    // The robot's queue item is sent with sendAuth + sendRefreshToken.
    auth: eventAuth(state, portal, userId, true),
  };
  const delivery = await postForm(state, portal, `robot:${robot.code}`, robot.handler, payload);
  run.deliverySeq = delivery.seq;
  return { delivery, eventToken, workflowId };
}

export function robotRunInfo(run: RobotRun, nowMs: number): RobotRunInfo {
  expireRun(run, nowMs);
  const info: RobotRunInfo = {
    code: run.code, eventToken: run.eventToken, workflowId: run.workflowId, activityName: run.activityName,
    dealId: run.dealId, documentId: [...run.documentId], documentType: [...run.documentType], properties: run.properties,
    useSubscription: run.useSubscription, userId: run.userId, status: run.status, startedAt: run.startedAt, log: [...run.log],
    deliverySeq: run.deliverySeq,
  };
  if (run.timedOut) info.timedOut = true;
  if (run.returnValues !== undefined) info.returnValues = run.returnValues;
  if (run.logMessage !== undefined) info.logMessage = run.logMessage;
  if (run.sentAt !== undefined) info.sentAt = run.sentAt;
  return info;
}

export function robotInfo(r: Robot): RobotInfo {
  return {
    code: r.code, handler: r.handler, authUserId: r.authUserId, useSubscription: r.useSubscription, name: r.name,
    description: r.description, properties: r.properties, returnProperties: r.returnProperties, documentType: r.documentType,
    filter: r.filter, usePlacement: r.usePlacement, placementHandler: r.placementHandler,
  };
}
