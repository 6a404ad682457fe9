/**
 * The Bitrix24 composition root: the verbs routes, pages and server actions use. Import from "@/lib/bitrix24", never
 * from a room inside it; each verb is built from stored, OAuth-server-vouched data (tokens, client_endpoint) and
 * takes no host or token from a request.
 *
 *   clients.ts    userClient(session), clientFor(owner): REST clients acting with one stored pair
 *   licence.ts    licenceOf: the app's licence on a portal from app.info (licence-state.ts decides, licence-gate.ts requireLicence)
 *   proxy.ts      the REST proxy behind /api/b24/{method}
 *   lifecycle/    Bitrix24 calling the app: frame POSTs, installer, events, doctor, the state machine
 *   oauth/        standalone sign-in, token checks at the OAuth server, which configured OAuth server (region) serves a portal
 *   store/        the persistence module (portal, user and token-pair rows)
 *   tokens/       refresh, encryption; transport/ the HTTP client, limits, retries; registry.ts the app manifest
 *   bucket-setting.ts  the portal's request bucket (plan) as the settings page shows and changes it
 *   metrics-endpoint.ts  GET /api/metrics: the process's counters (lib/metrics.ts) and the inbox read at scrape time
 *   rest-log.ts   every REST exchange with a portal, redacted, kept B24_REST_LOG_DAYS (the doctor shows and downloads it)
 */
import "server-only";
import { kickInbox } from "./inbox/pump";
import { retryJob } from "./store/inbox";

export { actingOwner, clientFor, userClient } from "./clients";
export { proxyCall } from "./proxy";
export { licenceOf, marketCardUrl, refreshLicence, type Licence, type LicenceState } from "./licence";
export { requireLicence, type RequireLicenceOptions } from "./licence-gate";
export { installApp, openApp, openFromPortalPage, sessionPortalOrigin } from "./lifecycle/frame";
export { handleEventDelivery } from "./lifecycle/events";
export { bindAppEvents } from "./lifecycle/install";
export { handleRobotCall } from "./lifecycle/robots";
export { doctorReport, type DoctorReport, type TokenCheck } from "./lifecycle/doctor";
export { portalAuthorizeUrl } from "./oauth/sign-in";
export { b24Config } from "./config";
export { BUCKET_CHOICES, portalBucket, setPortalBucket, type BucketChoice, type PortalBucket } from "./bucket-setting";
export { findPortal, findUser } from "./store/portals";
export { loadHealth, type TokenOwner } from "./store/token-store";
export { metricsResponse } from "./metrics-endpoint";
export { recentRestLog, restLogLines, restLogSettings, type RestLogEntry } from "./rest-log";
export { kickInbox };

/** A dead inbox job of this portal back in the queue, and the web process's worker told (B24_WORKER_MODE=web). */
export async function retryInboxJob(id: string, memberId: string): Promise<boolean> {
  if (!(await retryJob(id, memberId))) return false;
  void kickInbox();
  return true;
}
