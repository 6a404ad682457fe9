import { e2e } from "./env";
import type { BridgeLogEntry, DealAccess, DealAccessRequest, LogEntry, PortalInfo, TimelineEntry, TokenPairInfo } from "./emulator/types";
// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
import type { RobotInfo, RobotRunInfo, RobotRunRequest, RobotRunResult } from "./emulator/types";

/** The emulator's own shapes (e2e/emulator/types.ts), under the names the specs use. */
export type LoggedRequest = LogEntry;
export type LiveToken = TokenPairInfo;

/** The emulator's HTTP control API (see e2e/emulator/README.md), typed for the tests. */
export class EmulatorApi {
  constructor(private readonly base = e2e.oauthUrl) {}

  private async call<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
    const res = await fetch(`${this.base}/__emulator/${path}`, {
      method: init?.method ?? "GET",
      headers: init?.body === undefined ? undefined : { "content-type": "application/json" },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!res.ok) throw new Error(`emulator control ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  health() {
    return this.call<{ ok: boolean; oauthUrl: string; portals: Array<{ url: string; host: string; memberId: string }> }>("health");
  }
  log(since = 0) {
    return this.call<LoggedRequest[]>(`log?since=${since}`);
  }
  async lastSeq(): Promise<number> {
    const all = await this.log();
    return all.length ? all[all.length - 1]!.seq : 0;
  }
  tokens() {
    return this.call<LiveToken[]>("tokens");
  }
  async tokenRequests(since: number): Promise<LoggedRequest[]> {
    return (await this.log(since)).filter((r) => r.server === "oauth" && r.path.startsWith("/oauth/token"));
  }
  fault(body: { path: string; count: number; kind: "status" | "hang" | "reset" | "drop-after-success"; status?: number; body?: unknown; headers?: Record<string, string>; host?: string }) {
    return this.call<unknown>("faults", { method: "POST", body });
  }
  /** Every refresh token, or those of one portal / user / exact token, now gets `invalid_grant`. */
  revokeRefreshTokens(filter: { memberId?: string; userId?: number; refresh?: string } = {}) {
    return this.call<{ revoked: number }>("revoke-refresh-tokens", { method: "POST", body: filter });
  }
  /** PAYMENT_REQUIRED / PORTAL_DELETED; `paymentRequired: false` after `true` sends ONAPPPAYMENT and returns its deliveries. */
  setPortalState(memberId: string, state: { paymentRequired?: boolean; deleted?: boolean }) {
    return this.call<{ deliveries: Delivery[] }>(`portals/${memberId}/state`, { method: "POST", body: state });
  }
  /**
   * The app's licence on a portal (STATUS letter, days left or the end date, LICENSE): app.info answers from it, a
   * trial past its end or a paid app past the 14-day grace is blocked, and becoming paid sends ONAPPPAYMENT.
   */
  setLicence(memberId: string, licence: { status: "F" | "D" | "T" | "P" | "L" | "S"; daysLeft?: number | null; dateFinish?: string | number | null; license?: string }) {
    return this.call<{ appInfo: Record<string, unknown>; blocked: boolean; deliveries: Delivery[] }>(`portals/${memberId}/licence`, { method: "POST", body: licence });
  }
  /** Simulated execution time of a method (feeds Bitrix24's operating-time limit); `ms: null` removes it. */
  setMethodCost(method: string, ms: number | null) {
    return this.call<unknown>("method-cost", { method: "POST", body: { method, ms } });
  }
  /** The emulator's clock (unix seconds), which every expiry, bucket and operating window uses. */
  async clockSec(): Promise<number> {
    return (await this.call<{ now: number }>("clock")).now;
  }
  resetLimits() {
    return this.call<unknown>("reset-limits", { method: "POST", body: {} });
  }
  expireTokens() {
    return this.call<unknown>("expire-tokens", { method: "POST", body: {} });
  }
  /** A new portal on a new port (PortalSeed: installed, installFinished, users, its OAuth server `oauthServer: 2`, …). */
  addPortal(seed: { installed?: boolean; installFinished?: boolean; deals?: number; contacts?: number; demoData?: boolean; port?: number; oauthServer?: 1 | 2; language?: string } = {}) {
    return this.call<{ url: string; host: string; memberId: string }>("portals", { method: "POST", body: seed });
  }
  clearFaults() {
    return this.call<unknown>("faults/clear", { method: "POST", body: {} });
  }
  /**
   * A new installation (new application_token). A UI app stays "installed, not finished" until installFinish;
   * `noUi` POSTs ONAPPINSTALL to the app's events route and returns its answer.
   */
  install(memberId: string, opts: { noUi?: boolean; userId?: number } = {}) {
    return this.call<{ applicationToken: string; delivery?: Delivery }>(`portals/${memberId}/install`, { method: "POST", body: opts });
  }
  /** Revokes the portal's tokens, then sends ONAPPUNINSTALL (with `data[CLEAN]`) to the bound handlers. */
  /** A new version: ONAPPUPDATE to the bound handlers (data[LANGUAGE_ID] = the portal's language); returns the deliveries. */
  update(memberId: string, opts: { noUi?: boolean } = {}) {
    return this.call<{ deliveries: Delivery[] }>(`portals/${memberId}/update`, { method: "POST", body: opts });
  }
  uninstall(memberId: string, opts: { clean?: boolean } = {}) {
    return this.call<{ deliveries: Delivery[] }>(`portals/${memberId}/uninstall`, { method: "POST", body: opts });
  }
  /** Every event POST the emulator made, with the exact form body it sent. */
  deliveries(since = 0) {
    return this.call<Array<Delivery & { body: string }>>(`deliveries?since=${since}`);
  }
  /** A change made in the portal by a person, not by the app: raises `event` with `data` as `userId` (the offline queue and its signal included). */
  events(memberId: string, req: { event: string; data?: Record<string, unknown>; userId?: number }) {
    return this.call<{ deliveries: Delivery[] }>(`portals/${memberId}/events`, { method: "POST", body: req });
  }
  portal(memberId: string) {
    return this.call<Pick<PortalInfo, "installed" | "installFinished" | "applicationToken" | "bindings" | "appOptions" | "userOptions" | "placements" | "offlineEvents">>(
      `portals/${memberId}`,
    );
  }

  // --- CRM test controls (timeline, deal access) ---
  /** Timeline comments of one CRM record (e.g. `("deal", 7)`), oldest first, shaped like crm.timeline.comment.get. */
  timeline(memberId: string, entityType: string, entityId: number) {
    return this.call<TimelineEntry[]>(`portals/${memberId}/timeline?entityType=${encodeURIComponent(entityType)}&entityId=${entityId}`);
  }
  /**
   * `private: true` closes the deal (OPENED=N): only admins and its responsible user read it, so for user 2 pass
   * `assignedById: 1`; crm.deal.get then answers 400 `{error:"", error_description:"Access denied"}` and the deal
   * drops out of crm.deal.list for that user.
   */
  setDealAccess(memberId: string, dealId: number, req: DealAccessRequest) {
    return this.call<DealAccess>(`portals/${memberId}/deals/access`, { method: "POST", body: { ...req, dealId } });
  }

  // --- Frame bridge log (portal pages) ---
  /** Messages the portal pages got from app frames (`{seq, at, memberId, sid, placement, kind, command, params, answered, denied?}`). */
  bridgeLog(memberId?: string, since = 0) {
    const q = new URLSearchParams({ since: String(since), ...(memberId ? { memberId } : {}) });
    return this.call<BridgeLogEntry[]>(`bridge-log?${q.toString()}`);
  }

  // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
  /**
   * Runs a robot step on a deal the way the portal's automation does: POSTs workflow_id, code, document_id[],
   * document_type[], event_token, properties[], use_subscription, timeout_duration, ts and auth[] to the robot's
   * HANDLER and returns `{delivery, eventToken, workflowId}` (or `skipped` when the app is not installed / not
   * install-finished / must pay). `userId` defaults to the robot's AUTH_USER_ID; with neither, `auth` has no tokens.
   */
  runRobot(memberId: string, req: RobotRunRequest) {
    return this.call<RobotRunResult>(`portals/${memberId}/robots/run`, { method: "POST", body: req });
  }
  /** Every robot run: `{code, eventToken, documentId, properties, status: "waiting"|"done", returnValues?, logMessage?, sentAt?, …}`. */
  robotRuns(memberId: string) {
    return this.call<RobotRunInfo[]>(`portals/${memberId}/robot-runs`);
  }
  /** The robots the app registered with bizproc.robot.add/update. */
  robots(memberId: string) {
    return this.call<RobotInfo[]>(`portals/${memberId}/robots`);
  }
}

/** One event POST the emulator made to the app. */
export interface Delivery {
  seq: number;
  memberId: string;
  event: string;
  handler: string;
  status: number;
  ok: boolean;
  error?: string;
}
