import { seedDeals } from "./rest/methods/deal-data";
import { finishInstall } from "./lifecycle/launcher";
import { install, uninstall, update } from "./lifecycle/install";
import { triggerEvent } from "./lifecycle/events";
import type { EmulatorState, PortalState } from "./state";
import type { DeliveryResult, EmulatorPortal, FaultSpec, LogEntry, PortalInfo, PortalSeed, TokenPairInfo } from "./types";
import type { DealAccess, DealAccessRequest, OfflineQueueRow, TimelineEntry } from "./types";
import { setDealAccess, timelineOf } from "./rest/crm-controls";
import type { BridgeLogEntry } from "./types";
import { bridgeLog, clearBridgeLog } from "./frames/registry";
import { LicenceError, setLicence, syncLicence, type LicenceRequest } from "./licence";
// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
import type { RobotInfo, RobotRunInfo, RobotRunRequest, RobotRunResult } from "./types";
import { RobotRunError, robotInfo, robotRunInfo, runRobot } from "./robots/run";

/** What control needs from the part of the emulator that owns listening sockets. */
export interface ServerHost {
  addPortal(seed: PortalSeed): Promise<EmulatorPortal>;
  renamePortal(memberId: string, port?: number): Promise<EmulatorPortal & { oldUrl: string }>;
  portalList(): EmulatorPortal[];
}

export interface ClockRequest {
  advanceSec?: number;
  set?: number;
  freeze?: boolean;
}

export function portalInfo(p: PortalState): PortalInfo {
  return {
    url: p.url, host: p.host, memberId: p.memberId, installed: p.installed, installFinished: p.installFinished,
    applicationToken: p.applicationToken, paymentRequired: p.paymentRequired, deleted: p.deleted, deals: p.deals.size,
    bindings: p.bindings.map((b) => ({ ...b, options: { ...b.options } })), appOptions: { ...p.appOptions }, heldEvents: p.held.length,
    userOptions: Object.fromEntries([...p.userOptions].map(([id, o]) => [String(id), { ...o }])),
    placements: p.placements.map((x) => ({ placement: x.placement, handler: x.handler, title: x.title, langAll: x.langAll })),
    offlineEvents: p.offline.length, offlineExtended: p.offlineExtended,
  };
}

/**
 * Test controls. Every method is also reachable over HTTP under `/__emulator/` (see control-http.ts) and through
 * EmulatorControlClient, with the same names and shapes.
 */
export class EmulatorControl {
  constructor(private readonly state: EmulatorState, private readonly host: ServerHost) {}

  async health(): Promise<{ ok: true; oauthUrl: string; secondOAuthUrl?: string; portals: EmulatorPortal[] }> {
    return { ok: true, oauthUrl: this.state.oauthUrl, ...(this.state.secondOAuthUrl ? { secondOAuthUrl: this.state.secondOAuthUrl } : {}), portals: this.host.portalList() };
  }

  async log(since = 0): Promise<LogEntry[]> {
    return this.state.log.since(since);
  }

  async clearLog(): Promise<void> {
    this.state.log.clear();
  }

  async tokens(): Promise<TokenPairInfo[]> {
    return this.state.tokens.live();
  }

  async expireTokens(): Promise<{ expired: number }> {
    return { expired: this.state.tokens.expireAllAccess() };
  }

  /** Without a filter every refresh token; otherwise those of one portal, one user or one exact refresh token. */
  async revokeRefreshTokens(filter: { memberId?: string; userId?: number; refresh?: string } = {}): Promise<{ revoked: number }> {
    return { revoked: this.state.tokens.revokeRefresh(filter) };
  }

  async addFault(spec: FaultSpec): Promise<void> {
    if (!spec.path || !["status", "hang", "reset", "drop-after-success"].includes(spec.kind)) {
      throw new ControlError(400, "fault needs path and kind status|hang|reset|drop-after-success");
    }
    this.state.faults.push({ ...spec, remaining: spec.count ?? 1 });
  }

  async clearFaults(): Promise<void> {
    this.state.faults = [];
  }

  async setLatency(ms: number): Promise<void> {
    this.state.latencyMs = Math.max(0, Number(ms) || 0);
  }

  async clock(req: ClockRequest = {}): Promise<{ now: number; frozen: boolean }> {
    if (req.freeze !== undefined) this.state.clock.freeze(req.freeze);
    if (req.set !== undefined) this.state.clock.set(req.set);
    if (req.advanceSec !== undefined) this.state.clock.advance(req.advanceSec);
    // A trial or a paid period may end (or the grace run out) as time moves.
    for (const p of this.state.portals.values()) syncLicence(this.state, p);
    return this.state.clock.snapshot();
  }

  /** Fixed simulated cost for one method (or "*" for all); `ms: null` removes it. */
  async setMethodCost(req: { method?: string; ms: number | null }): Promise<void> {
    const key = (req.method ?? "*").toLowerCase();
    if (req.ms === null) this.state.methodCost.delete(key);
    else this.state.methodCost.set(key, Number(req.ms));
  }

  async resetLimits(): Promise<void> {
    for (const p of this.state.portals.values()) {
      p.bucket = { level: 0, lastMs: this.state.clock.nowMs() };
      p.operating.clear();
    }
  }

  async deliveries(since = 0): Promise<DeliveryResult[]> {
    return this.state.deliveries.filter((d) => d.seq > since);
  }

  async addPortal(seed: PortalSeed = {}): Promise<EmulatorPortal> {
    return this.host.addPortal(seed);
  }

  async portal(memberId: string): Promise<PortalInfo> {
    return portalInfo(this.state.portal(memberId));
  }

  async install(memberId: string, opts: { noUi?: boolean; userId?: number } = {}) {
    return install(this.state, this.state.portal(memberId), opts);
  }

  /** What the installer's `installFinish` does, for tests without a browser. */
  async finishInstall(memberId: string): Promise<{ deliveries: DeliveryResult[] }> {
    const p = this.state.portal(memberId);
    if (!p.installed) throw new ControlError(409, "app is not installed");
    return { deliveries: await finishInstall(this.state, p) };
  }

  async update(memberId: string, opts: { noUi?: boolean } = {}): Promise<{ deliveries: DeliveryResult[] }> {
    return { deliveries: await update(this.state, this.state.portal(memberId), opts) };
  }

  async uninstall(memberId: string, opts: { clean?: boolean } = {}): Promise<{ deliveries: DeliveryResult[] }> {
    return { deliveries: await uninstall(this.state, this.state.portal(memberId), !!opts.clean) };
  }

  async rename(memberId: string, opts: { port?: number } = {}): Promise<EmulatorPortal & { oldUrl: string }> {
    this.state.portal(memberId);
    return this.host.renamePortal(memberId, opts.port);
  }

  /**
   * A change made in the portal (not by the app): delivers now and answers with the results, the ONOFFLINEEVENT
   * signal included when offline rows were queued; `userId` absent = a system trigger, so no tokens in `auth`.
   */
  async events(memberId: string, req: { event: string; data?: Record<string, unknown>; userId?: number }): Promise<{ deliveries: DeliveryResult[] }> {
    if (!req.event) throw new ControlError(400, "event is required");
    const p = this.state.portal(memberId);
    return { deliveries: await triggerEvent(this.state, p, req.event, req.data ?? {}, req.userId ?? null) };
  }

  /** The portal's offline queue, every connector, in queue order (ID), reserved and errored rows included. */
  async offlineQueue(memberId: string): Promise<OfflineQueueRow[]> {
    return this.state.portal(memberId).offline
      .map((o) => ({ id: o.id, event: o.event, messageId: o.messageId, data: o.data, processId: o.processId, connector: o.connector, error: o.error, timestamp: o.timestamp }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * `paymentRequired: false` after `true` is a payment: the core fires ONAPPPAYMENT to bound handlers (no tokens, no
   * application_token, https://apidocs.bitrix24.com/api-reference/common/events/on-app-update.html) and the deliveries are awaited and returned.
   */
  async setPortalState(memberId: string, req: { paymentRequired?: boolean; deleted?: boolean }): Promise<PortalInfo & { deliveries: DeliveryResult[] }> {
    const p = this.state.portal(memberId);
    const paid = p.paymentRequired && req.paymentRequired === false;
    if (req.paymentRequired !== undefined) p.paymentRequired = !!req.paymentRequired;
    if (req.deleted !== undefined) p.deleted = !!req.deleted;
    const data = { CODE: this.state.app.clientId, VERSION: "1", STATUS: "P", PAYMENT_EXPIRED: "N", DAYS: "30", LANGUAGE_ID: p.language };
    const deliveries = paid ? await triggerEvent(this.state, p, "ONAPPPAYMENT", data, null) : [];
    return { ...portalInfo(p), deliveries };
  }

  /**
   * The app's licence on the portal (status letter + daysLeft or dateFinish, optional LICENSE), what app.info then
   * answers, whether the portal blocks the app, and the ONAPPPAYMENT deliveries when it became paid (licence.ts).
   */
  async setLicence(memberId: string, req: LicenceRequest): Promise<{ appInfo: Record<string, unknown>; blocked: boolean; deliveries: DeliveryResult[] }> {
    const p = this.state.portal(memberId);
    try {
      return await setLicence(this.state, p, req, (event, data) => triggerEvent(this.state, p, event, data, null));
    } catch (e) {
      if (e instanceof LicenceError) throw new ControlError(400, e.message);
      throw e;
    }
  }

  async seedDeals(memberId: string, req: { count: number }): Promise<{ total: number }> {
    const p = this.state.portal(memberId);
    seedDeals(p, Math.max(0, Math.floor(Number(req.count) || 0)), this.state.clock.nowMs());
    return { total: p.deals.size };
  }

  // --- CRM test controls (timeline, deal access) ---

  /** Timeline comments of one CRM record (`deal`, `contact`), oldest first, in crm.timeline.comment.get's shape. */
  async timeline(memberId: string, entityType: string, entityId: number): Promise<TimelineEntry[]> {
    return timelineOf(this.state.portal(memberId), entityType, entityId);
  }

  /** Closes (OPENED=N) or opens a deal; a closed deal is readable only by admins and its ASSIGNED_BY_ID user. */
  async setDealAccess(memberId: string, dealId: number, req: DealAccessRequest): Promise<DealAccess> {
    return setDealAccess(this.state.portal(memberId), dealId, req);
  }

  // --- Frame bridge log (portal pages) ---

  /** Messages the portal pages received from app frames, oldest first; optionally one portal's, after `since` (seq). */
  async bridgeLog(memberId?: string, since = 0): Promise<BridgeLogEntry[]> {
    return bridgeLog(this.state, memberId, since);
  }

  async clearBridgeLog(): Promise<void> {
    clearBridgeLog(this.state);
  }

  // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---

  /**
   * One robot step of a deal's automation: POSTs the documented form (workflow_id, code, document_id[], document_type[],
   * event_token, properties[], use_subscription, timeout_duration, ts, auth[]) to the robot's HANDLER and answers
   * after the app replied. Skipped (nothing sent) when the app is not installed, not install-finished, or must pay.
   */
  async runRobot(memberId: string, req: RobotRunRequest): Promise<RobotRunResult> {
    try {
      return await runRobot(this.state, this.state.portal(memberId), req);
    } catch (e) {
      if (e instanceof RobotRunError) throw new ControlError(e.status, e.message);
      throw e;
    }
  }

  /** Every robot run of the portal, oldest first, with what bizproc.event.send / bizproc.activity.log recorded. */
  async robotRuns(memberId: string): Promise<RobotRunInfo[]> {
    const now = this.state.clock.nowMs();
    return this.state.portal(memberId).robotRuns.map((r) => robotRunInfo(r, now));
  }

  /** The robots the app has registered (bizproc.robot.add/update), with every stored field. */
  async robots(memberId: string): Promise<RobotInfo[]> {
    return this.state.portal(memberId).robots.map(robotInfo);
  }
}

export class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
