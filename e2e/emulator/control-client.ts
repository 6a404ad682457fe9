import type { ClockRequest } from "./control";
import type { DeliveryResult, EmulatorPortal, FaultSpec, LogEntry, PortalInfo, PortalSeed, TokenPairInfo } from "./types";
import type { DealAccess, DealAccessRequest, OfflineQueueRow, TimelineEntry } from "./types";
import type { BridgeLogEntry } from "./types";
import type { LicenceRequest } from "./licence";
// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
import type { RobotInfo, RobotRunInfo, RobotRunRequest, RobotRunResult } from "./types";

/**
 * Typed client of the `/__emulator/` HTTP control API, for tests that run in another process than the
 * emulator (e.g. Playwright against `npm run emulator`). Method names match the in-process EmulatorControl.
 */
export class EmulatorControlClient {
  private readonly base: string;

  constructor(oauthUrl: string) {
    this.base = `${oauthUrl.replace(/\/+$/, "")}/__emulator/`;
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private portalPath(memberId: string, action: string): string {
    return `portals/${encodeURIComponent(memberId)}/${action}`;
  }

  health() {
    return this.call<{ ok: true; oauthUrl: string; portals: EmulatorPortal[] }>("GET", "health");
  }
  log(since = 0) {
    return this.call<LogEntry[]>("GET", `log?since=${since}`);
  }
  async clearLog(): Promise<void> {
    await this.call("POST", "log/clear");
  }
  tokens() {
    return this.call<TokenPairInfo[]>("GET", "tokens");
  }
  expireTokens() {
    return this.call<{ expired: number }>("POST", "expire-tokens");
  }
  revokeRefreshTokens(filter: { memberId?: string; userId?: number; refresh?: string } = {}) {
    return this.call<{ revoked: number }>("POST", "revoke-refresh-tokens", filter);
  }
  async addFault(spec: FaultSpec): Promise<void> {
    await this.call("POST", "faults", spec);
  }
  async clearFaults(): Promise<void> {
    await this.call("POST", "faults/clear");
  }
  async setLatency(ms: number): Promise<void> {
    await this.call("POST", "latency", { ms });
  }
  clock(req: ClockRequest = {}) {
    return this.call<{ now: number; frozen: boolean }>("POST", "clock", req);
  }
  async setMethodCost(req: { method?: string; ms: number | null }): Promise<void> {
    await this.call("POST", "method-cost", req);
  }
  async resetLimits(): Promise<void> {
    await this.call("POST", "reset-limits");
  }
  deliveries(since = 0) {
    return this.call<DeliveryResult[]>("GET", `deliveries?since=${since}`);
  }
  addPortal(seed: PortalSeed = {}) {
    return this.call<EmulatorPortal>("POST", "portals", seed);
  }
  portal(memberId: string) {
    return this.call<PortalInfo>("GET", `portals/${encodeURIComponent(memberId)}`);
  }
  install(memberId: string, opts: { noUi?: boolean; userId?: number } = {}) {
    return this.call<{ applicationToken: string; delivery?: DeliveryResult }>("POST", this.portalPath(memberId, "install"), opts);
  }
  finishInstall(memberId: string) {
    return this.call<{ deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "install-finish"));
  }
  update(memberId: string, opts: { noUi?: boolean } = {}) {
    return this.call<{ deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "update"), opts);
  }
  uninstall(memberId: string, opts: { clean?: boolean } = {}) {
    return this.call<{ deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "uninstall"), opts);
  }
  rename(memberId: string, opts: { port?: number } = {}) {
    return this.call<EmulatorPortal & { oldUrl: string }>("POST", this.portalPath(memberId, "rename"), opts);
  }
  events(memberId: string, req: { event: string; data?: Record<string, unknown>; userId?: number }) {
    return this.call<{ deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "events"), req);
  }
  offlineQueue(memberId: string) {
    return this.call<OfflineQueueRow[]>("GET", this.portalPath(memberId, "offline-queue"));
  }
  setPortalState(memberId: string, req: { paymentRequired?: boolean; deleted?: boolean }) {
    return this.call<PortalInfo & { deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "state"), req);
  }
  setLicence(memberId: string, req: LicenceRequest) {
    return this.call<{ appInfo: Record<string, unknown>; blocked: boolean; deliveries: DeliveryResult[] }>("POST", this.portalPath(memberId, "licence"), req);
  }
  seedDeals(memberId: string, req: { count: number }) {
    return this.call<{ total: number }>("POST", this.portalPath(memberId, "deals/seed"), req);
  }

  // --- CRM test controls (timeline, deal access) ---
  timeline(memberId: string, entityType: string, entityId: number) {
    const q = `entityType=${encodeURIComponent(entityType)}&entityId=${encodeURIComponent(String(entityId))}`;
    return this.call<TimelineEntry[]>("GET", `${this.portalPath(memberId, "timeline")}?${q}`);
  }
  setDealAccess(memberId: string, dealId: number, req: DealAccessRequest) {
    return this.call<DealAccess>("POST", this.portalPath(memberId, "deals/access"), { ...req, dealId });
  }

  // --- Frame bridge log (portal pages) ---
  bridgeLog(memberId?: string, since = 0) {
    const q = new URLSearchParams({ since: String(since), ...(memberId ? { memberId } : {}) });
    return this.call<BridgeLogEntry[]>("GET", `bridge-log?${q.toString()}`);
  }
  async clearBridgeLog(): Promise<void> {
    await this.call("POST", "bridge-log/clear");
  }

  // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
  runRobot(memberId: string, req: RobotRunRequest) {
    return this.call<RobotRunResult>("POST", this.portalPath(memberId, "robots/run"), req);
  }
  robotRuns(memberId: string) {
    return this.call<RobotRunInfo[]>("GET", this.portalPath(memberId, "robot-runs"));
  }
  robots(memberId: string) {
    return this.call<RobotInfo[]>("GET", this.portalPath(memberId, "robots"));
  }
}
