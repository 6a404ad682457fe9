import "server-only";
import { env } from "@/lib/env";
import { B24Error, isB24Error } from "@/lib/errors";
import { errorJson } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { kickInbox } from "../inbox/pump";
import type { RobotProperty, RobotPropertyType, RobotSpec } from "../manifest";
import { declaredRobots, robotSpec } from "../registry";
import { dedupKey, enqueueJob } from "../store/inbox";
import type { B24Client } from "../transport/client";
import { deliveryPortal } from "./delivery-auth";
import type { Defer } from "./events";
import { formString, parseFormRequest, type FormTree } from "./form";

/**
 * Automation robots (extensions §4; https://apidocs.bitrix24.com/api-reference/bizproc/bizproc-robot/index.html):
 * the manifest's robots registered with bizproc.robot.add/update, and the robot call a deal's automation POSTs to
 * `${NEXTAUTH_URL}/api/b24/robot` turned into an inbox job. The job (inbox/robot-job.ts) runs the robot's handler as
 * the installer and answers the waiting step with bizproc.event.send. Every robot shares the one handler URL.
 */
export function robotHandlerUrl(): string {
  return new URL("/api/b24/robot", env().NEXTAUTH_URL).toString();
}

/** Robots are offered for deals only: the handler reads `document_id[2]` as DEAL_<id>. */
const DEAL_DOCUMENT_TYPE = ["crm", "CCrmDocumentDeal", "DEAL"] as const;

export interface RobotSync {
  added: string[];
  updated: string[];
  removed: string[];
}

function b24Property(p: RobotProperty): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: p.name, Type: p.type, Required: p.required ? "Y" : "N", Multiple: "N" };
  if (p.description) out.Description = p.description;
  if (p.options) out.Options = p.options;
  if (p.default !== undefined) out.Default = typeof p.default === "boolean" ? (p.default ? "Y" : "N") : p.default;
  return out;
}

const b24Properties = (props: Record<string, RobotProperty> | undefined) => Object.fromEntries(Object.entries(props ?? {}).map(([k, p]) => [k, b24Property(p)]));

/** Everything bizproc.robot.add takes besides CODE, the same set bizproc.robot.update takes as FIELDS. */
export function robotFields(spec: RobotSpec, authUserId: number): Record<string, unknown> {
  return {
    HANDLER: robotHandlerUrl(),
    AUTH_USER_ID: authUserId,
    // Y: the step waits for bizproc.event.send, which carries the return values.
    USE_SUBSCRIPTION: "Y",
    NAME: spec.name,
    ...(spec.description ? { DESCRIPTION: spec.description } : {}),
    PROPERTIES: b24Properties(spec.properties),
    RETURN_PROPERTIES: b24Properties(spec.returnProperties),
    DOCUMENT_TYPE: [...DEAL_DOCUMENT_TYPE],
    FILTER: { INCLUDE: [[DEAL_DOCUMENT_TYPE[0], DEAL_DOCUMENT_TYPE[1]]] },
  };
}

const upstreamIs = (err: unknown, code: string) => isB24Error(err) && err.upstream === code;

/**
 * Makes the portal's robots of this app equal the manifest: bizproc.robot.list (this app's codes only), then
 * bizproc.robot.delete for codes no longer declared, bizproc.robot.add for missing ones and bizproc.robot.update for
 * the others (the list names codes only, so a changed manifest is always written through). A manifest with no robots
 * leaves the portal alone (the app may lack the `bizproc` scope). Idempotent; the installer and every ONAPPUPDATE
 * run it (Bitrix24 drops robots on update). `authUserId` (the installer) is the user whose token robot calls carry.
 * Needs an administrator's token and the app context (bizproc.robot.* refuse webhooks).
 */
export async function syncRobots(client: B24Client, authUserId: number): Promise<RobotSync> {
  const out: RobotSync = { added: [], updated: [], removed: [] };
  const declared = declaredRobots();
  if (!declared.length) return out;
  const held = await client.call<unknown>("bizproc.robot.list", {});
  const codes = Array.isArray(held.result) ? held.result.map(String) : [];
  for (const code of codes) {
    if (declared.includes(code)) continue;
    try {
      await client.call("bizproc.robot.delete", { CODE: code });
    } catch (err) {
      // Deleted by a concurrent run since the list.
      if (!upstreamIs(err, "ERROR_ACTIVITY_NOT_FOUND")) throw err;
    }
    out.removed.push(code);
  }
  for (const code of declared) {
    const fields = robotFields(robotSpec(code)!, authUserId);
    const update = () => client.call("bizproc.robot.update", { CODE: code, FIELDS: fields });
    const add = () => client.call("bizproc.robot.add", { CODE: code, ...fields });
    if (codes.includes(code)) {
      try {
        await update();
        out.updated.push(code);
      } catch (err) {
        // Gone since the list (an update of the app in between): register it afresh.
        if (!upstreamIs(err, "ERROR_ACTIVITY_NOT_FOUND")) throw err;
        await add();
        out.added.push(code);
      }
      continue;
    }
    try {
      await add();
      out.added.push(code);
    } catch (err) {
      // A concurrent installer run added it between our list and this add.
      if (!upstreamIs(err, "ERROR_ACTIVITY_ALREADY_INSTALLED")) throw err;
      await update();
      out.updated.push(code);
    }
  }
  return out;
}

// --- The robot call (POST /api/b24/robot) ---

/** What a robot job holds (never an OAuth token; the event_token only lets the app answer this one step). */
export interface RobotPayload {
  code: string;
  /** document_id[2], e.g. DEAL_12. */
  documentId: string;
  properties: Record<string, string>;
  eventToken: string;
  ts: string | null;
}

const MEMBER_ID = /^[A-Za-z0-9]{1,64}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** `<workflow id>|<activity name>|<event id>.<signature>` (CBPRestActivity::generateToken signed by Main\Security\Sign\Signer). */
const EVENT_TOKEN = /^[A-Za-z0-9.]{1,64}\|[A-Za-z0-9_]{1,64}\|[A-Za-z0-9]{1,128}\.[A-Za-z0-9]{16,256}$/;
export const DEAL_DOCUMENT = /^DEAL_([1-9][0-9]{0,14})$/;
const TS = /^[0-9]{1,12}$/;
const MAX_VALUE = 10_000;
/** Shapes Bitrix24 posts for typed properties; "" is an empty (unset) value of any type. */
const SHAPE: Partial<Record<RobotPropertyType, RegExp>> = {
  int: /^-?[0-9]{1,15}$/,
  double: /^-?[0-9]{1,15}(\.[0-9]{1,15})?$/,
  bool: /^[YN]$/,
};

const bad = (message: string) => new B24Error("bad_request", message);

/** Declared keys only, string values only, each of its type's shape (anything else: 400, the job never exists). */
function robotProperties(code: string, spec: RobotSpec, tree: FormTree): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, prop] of Object.entries(spec.properties ?? {})) {
    const value = formString(tree, "properties", key);
    if (value === undefined) continue;
    const shape = SHAPE[prop.type];
    const ok = value === "" || (value.length <= MAX_VALUE && (!shape || shape.test(value)) && (prop.type !== "select" || !prop.options || Object.hasOwn(prop.options, value)));
    if (!ok) throw bad(`Bitrix24 called robot ${code} with a ${key} this robot does not accept.`);
    out[key] = value;
  }
  return out;
}

/**
 * The route's whole job: parse, check shapes (400), authenticate by `auth[application_token]` exactly like an event
 * delivery (403, nothing stored), refuse an uninstalled portal (410) and a code the manifest does not declare (404),
 * then store the call in the inbox once per (portal, code, event_token) and answer 200 at once; the handler runs from
 * the inbox (Bitrix24 does not wait for this answer's body: the result travels by bizproc.event.send). Neither the
 * body nor any token is logged.
 */
export async function handleRobotCall(req: Request, defer: Defer): Promise<Response> {
  let code: string | undefined;
  let memberId: string | undefined;
  try {
    const tree = await parseFormRequest(req);
    code = formString(tree, "code");
    memberId = formString(tree, "auth", "member_id");
    const eventToken = formString(tree, "event_token");
    const documentId = formString(tree, "document_id", "2");
    const ts = formString(tree, "ts");
    if (!memberId || !MEMBER_ID.test(memberId)) throw bad("The robot call names no valid portal.");
    if (!code || !CODE.test(code)) throw bad("The robot call names no valid robot code.");
    if (!eventToken || !EVENT_TOKEN.test(eventToken)) throw bad("The robot call carries no valid event token.");
    if (!documentId || !DEAL_DOCUMENT.test(documentId)) throw bad("The robot call names no deal (document_id).");
    const portal = await deliveryPortal(memberId, tree);
    if (!portal) throw new B24Error("forbidden", "This robot call could not be authenticated.");
    if (portal.status === "uninstalled") throw new B24Error("portal_uninstalled", "The app is not installed on this portal.");
    const spec = robotSpec(code);
    if (!spec) throw new B24Error("not_found", `This app has no robot ${code}. Reinstall the app so its robots are registered again.`);
    const payload: RobotPayload = { code, documentId, properties: robotProperties(code, spec, tree), eventToken, ts: ts && TS.test(ts) ? ts : null };
    const queued = await enqueueJob({ memberId, kind: "robot", name: code, payload, dedupKey: dedupKey([memberId, "robot", code, eventToken]) });
    if (queued === "queued") defer(async () => kickInbox());
    log.info("b24.robot", { code, memberId, outcome: queued });
    return Response.json({ status: "success" }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    log.warn("b24.robot.refused", { code: code && CODE.test(code) ? code : "invalid", memberId: memberId && MEMBER_ID.test(memberId) ? memberId : undefined, reason: isB24Error(err) ? err.code : "internal" });
    return errorJson(err);
  }
}
