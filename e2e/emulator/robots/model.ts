import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { RobotInfo } from "../types";

/**
 * Automation robots (extensions §4): what `bizproc.robot.add/update` stores and what one robot run in a deal's
 * automation looks like. Stored per portal (PortalState.robots / robotRuns).
 */

/** One robot property as registered (`PROPERTIES` / `RETURN_PROPERTIES` entry); field names upper-cased as the core stores them. */
export interface RobotProperty {
  NAME: unknown;
  DESCRIPTION?: unknown;
  TYPE?: string;
  OPTIONS?: unknown;
  REQUIRED?: string;
  MULTIPLE?: string;
  DEFAULT?: unknown;
  [k: string]: unknown;
}

/** One `bizproc.robot.add` row (core RestActivityTable with IS_ROBOT=Y): what `robots` reports, plus typed properties. */
export interface Robot extends Omit<RobotInfo, "properties" | "returnProperties"> {
  properties: Record<string, RobotProperty>;
  returnProperties: Record<string, RobotProperty>;
  /** User who registered it. */
  addedBy: number;
}

/** One robot run: the handler POST and the waiting activity that `bizproc.event.send` finishes. */
export interface RobotRun {
  code: string;
  workflowId: string;
  activityName: string;
  eventId: string;
  eventToken: string;
  dealId: number;
  documentId: [string, string, string];
  documentType: [string, string, string];
  /** Values as POSTed in `properties[...]`. */
  properties: Record<string, unknown>;
  useSubscription: "Y" | "N";
  timeoutDuration: number;
  /** User whose tokens went in `auth`, null = token-less auth. */
  userId: number | null;
  /** RETURN_PROPERTIES keys at run time (the whitelist the core applies to RETURN_VALUES). */
  returnKeys: string[];
  status: "waiting" | "done";
  startedAt: number;
  /** Emulator-clock ms after which the activity stops waiting (timeout_duration > 0). */
  expiresAt: number | null;
  timedOut: boolean;
  returnValues?: Record<string, unknown>;
  logMessage?: string;
  sentAt?: number;
  /** bizproc.activity.log messages (do not finish the run). */
  log: string[];
  /** seq of the delivery in the deliveries log. */
  deliverySeq: number;
}

// --- event_token: `<workflow_id>|<activity name>|<event id>.<signature>` (core CBPRestActivity::generateToken, Main\Security\Sign\Signer) ---

const SIGN_KEY = randomBytes(32);
const TOKEN_SALT = "bizproc";

function signature(value: string): string {
  return createHmac("sha256", SIGN_KEY).update(`${TOKEN_SALT}:${value}`).digest("hex");
}

export function signToken(workflowId: string, activityName: string, eventId: string): string {
  const value = `${workflowId}|${activityName}|${eventId}`;
  return `${value}.${signature(value)}`;
}

/** [workflowId, activityName, eventId] of a token this emulator signed, or null (forged, truncated, not a string). */
export function extractToken(token: unknown): [string, string, string] | null {
  if (typeof token !== "string") return null;
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return null;
  const value = token.slice(0, dot);
  const sig = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(signature(value));
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return null;
  const parts = value.split("|");
  if (parts.length !== 3) return null;
  return [parts[0] as string, parts[1] as string, parts[2] as string];
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** PHP `uniqid('', true)`, the core's workflow instance id: 13 hex digits, one digit, a dot, 8 digits (e.g. `55c1dc1c3f0d75.78875596`). */
export function newWorkflowId(nowMs: number): string {
  const usec = Math.floor(nowMs * 1000) % 0x100000;
  const head = Math.floor(nowMs / 1000).toString(16).padStart(8, "0") + usec.toString(16).padStart(5, "0");
  return `${head}${randomInt(10)}.${String(randomInt(100_000_000)).padStart(8, "0")}`;
}

/** Activity names in automation templates look like `A51601_82584_96831_81132`. */
export function newActivityName(): string {
  const five = () => String(randomInt(100_000)).padStart(5, "0");
  return `A${five()}_${five()}_${five()}_${five()}`;
}

/** `Random::getString(32, true)`: case-sensitive alphanumerics. */
export function newEventId(): string {
  return Array.from(randomBytes(32), (b) => ALNUM[b % ALNUM.length]).join("");
}
