/** Public option and result types. Names are part of the contract the app's tests depend on. */
export interface EmulatorOptions {
  /** 0 or undefined picks a random free port. */
  oauthPort?: number;
  app: AppOptions;
  /** Default: one portal with the app installed and its install finished. */
  portals?: PortalSeed[];
  accessTokenTtlSec?: number;
  /** 180 days per current docs; 28 reproduces the historic lifetime. */
  refreshTokenTtlDays?: number;
  /** Old docs: a refresh kills the access token issued with the used refresh token. */
  revokeAccessTokenOnRefresh?: boolean;
  /** Leaky bucket per portal: Bitrix24's plans, off, or explicit numbers (tests that need a faster bucket). */
  rateLimit?: "standard" | "enterprise" | "off" | { burst: number; drainPerSec: number };
  /** Operating budget per (portal, app, method) over a 600 s window. */
  operatingLimitSec?: number;
  /** Simulated execution time of one call; feeds `time.operating` and the operating limit. */
  methodCostMs?: (method: string, params: unknown) => number;
  logRequests?: boolean;
  /**
   * Docs say events are "not delivered" before install finishes; "hold" queues them and delivers them after
   * `installFinish`, "drop" discards them.
   */
  eventsBeforeInstallFinish?: "hold" | "drop";
  /**
   * Feature `rest_offline_extended` of every portal (default true; a portal seed may override it). Off, as on cloud
   * plans without it, event.offline.get with clear=0 answers 403 WRONG_LICENSE and feature.get reports "N".
   */
  offlineExtended?: boolean;
  /**
   * A second OAuth server (another region, e.g. oauth.bitrix24.tech) with its own app registration. Portals seeded
   * with `oauthServer: 2` belong to it: their codes, tokens and app.info are known there and nowhere else.
   */
  secondOAuth?: { port?: number; clientId: string; clientSecret: string };
}

export interface AppOptions {
  clientId: string;
  clientSecret: string;
  appUrl?: string;
  redirectUri?: string;
  handlerUrl?: string;
  installUrl?: string;
  installHandlerUrl?: string;
  /** Comma list. */
  scope?: string;
  status?: string;
}

export interface SeedUser {
  id: number;
  name: string;
  lastName: string;
  email: string;
  admin: boolean;
}

export interface PortalSeed {
  port?: number;
  memberId?: string;
  installed?: boolean;
  installFinished?: boolean;
  deals?: number;
  /** Contacts seeded with names and a work e-mail each. */
  contacts?: number;
  /** Seeded deals and contacts get plausible fictional titles and names (screenshots, demos) instead of `Deal #<id>`. */
  demoData?: boolean;
  users?: SeedUser[];
  plan?: "standard" | "enterprise";
  /** Overrides EmulatorOptions.offlineExtended for this portal. */
  offlineExtended?: boolean;
  /** The OAuth server (region) the portal belongs to: 1 (default) or 2 (EmulatorOptions.secondOAuth). */
  oauthServer?: 1 | 2;
  /** The portal's language: LANGUAGE_ID in app.info and lifecycle events (default "en"). */
  language?: string;
}

export interface EmulatorPortal {
  url: string;
  host: string;
  memberId: string;
}

export interface LogEntry {
  seq: number;
  server: "oauth" | "portal";
  host: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  headers: Record<string, string>;
  status: number;
  /** Emulator-clock unix time in ms when the request arrived. */
  time: number;
  durationMs: number;
  fault?: FaultKind;
}

export type FaultKind = "status" | "hang" | "reset" | "drop-after-success";

export interface FaultSpec {
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  count?: number;
  kind: FaultKind;
  status?: number;
  body?: unknown;
  /** Extra response headers of a `status` fault (e.g. Set-Cookie, Location), to prove a proxy does not pass them on. */
  headers?: Record<string, string>;
  /** Limit the fault to one server (`host` of a portal or of the OAuth server). */
  host?: string;
}

export interface TokenPairInfo {
  memberId: string;
  userId: number;
  access: string;
  refresh: string;
  /** Unix seconds when the access token expires. */
  expires: number;
  refreshExpires: number;
  accessExpired: boolean;
}

export interface DeliveryResult {
  seq: number;
  event: string;
  handler: string;
  memberId: string;
  /** HTTP status of the app's answer, 0 when the request failed. */
  status: number;
  ok: boolean;
  error?: string;
  body: string;
  time: number;
}

export interface PortalInfo extends EmulatorPortal {
  installed: boolean;
  installFinished: boolean;
  applicationToken: string;
  paymentRequired: boolean;
  deleted: boolean;
  deals: number;
  bindings: Array<{ id: number; event: string; handler: string; authType: number; offline: boolean; userId: number; connector: string; options: Record<string, number> }>;
  appOptions: Record<string, unknown>;
  /** Per user id, as user.option.set / setUserOption stored them. */
  userOptions: Record<string, Record<string, unknown>>;
  placements: Array<{ placement: string; handler: string; title: string; langAll?: Record<string, { TITLE?: string; DESCRIPTION?: string; GROUP_NAME?: string }> }>;
  heldEvents: number;
  /** Rows in the portal's offline queue, every connector, reserved and errored ones included. */
  offlineEvents: number;
  offlineExtended: boolean;
}

/** One offline queue row as `offlineQueue` reports it. */
export interface OfflineQueueRow {
  id: number;
  event: string;
  messageId: string;
  data: Record<string, unknown>;
  /** "" = not reserved. */
  processId: string;
  connector: string;
  error: boolean;
  /** TIMESTAMP_X, emulator-clock unix ms. */
  timestamp: number;
}

// --- CRM test controls (timeline, deal access) ---

/** One timeline comment as crm.timeline.comment.get returns it. */
export interface TimelineEntry {
  ID: string;
  ENTITY_ID: string;
  ENTITY_TYPE: string;
  CREATED: string;
  COMMENT: string;
  AUTHOR_ID: string;
  FILES: Record<string, never>;
}

/** `private` closes the deal (OPENED=N): only admins and its responsible user (ASSIGNED_BY_ID) can read it. */
export interface DealAccessRequest {
  private: boolean;
  assignedById?: number;
}

export interface DealAccess {
  id: number;
  opened: boolean;
  assignedById: number;
}

// --- Frame bridge log (portal pages) ---

/** One message a portal page received from an app frame (launcher, CRM card tab, slider); tokens are redacted. */
export interface BridgeLogEntry {
  seq: number;
  /** Emulator-clock ms when the portal page reported it. */
  at: number;
  memberId: string;
  /** APP_SID of the frame that sent it. */
  sid: string;
  placement: string;
  kind: "app" | "placement" | "slider" | "";
  command: string;
  params: unknown;
  /** The parent answers it (now, or for openApplication/openPath when the slider closes). */
  answered: boolean;
  /** Why not: "origin", "sid", "context" (denied in this frame), "unknown", "not-admin", "no-event", "error". */
  denied?: string;
}

// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---

/** `runRobot`: one robot step of a deal's automation. */
export interface RobotRunRequest {
  /** The robot's CODE (bizproc.robot.add). */
  code: string;
  /** Deal id: the run's document is ["crm","CCrmDocumentDeal","DEAL_<id>"]; the deal must exist. */
  documentId: number;
  /** Values of the robot's declared PROPERTIES as configured in the step; missing ones take Default, else "". */
  properties?: Record<string, unknown>;
  /** Whose tokens go in `auth` (the step's "run as" user); default the robot's AUTH_USER_ID; neither = token-less auth. */
  userId?: number;
  /** The step's wait limit in seconds (`timeout_duration`); 0 = wait forever. After it the event_token is expired. */
  timeoutDuration?: number;
}

export interface RobotRunResult {
  /** The handler POST (its status and the exact form body), null when the run was skipped. */
  delivery: DeliveryResult | null;
  eventToken: string | null;
  workflowId: string | null;
  /** Why nothing was sent: the app is not installed, its installer has not called installFinish, or payment is required. */
  skipped?: "not-installed" | "install-not-finished" | "payment-required";
}

/** One robot run as `robotRuns` reports it. */
export interface RobotRunInfo {
  code: string;
  eventToken: string;
  workflowId: string;
  activityName: string;
  dealId: number;
  /** As POSTed: ["crm","CCrmDocumentDeal","DEAL_<id>"]. */
  documentId: string[];
  documentType: string[];
  /** `properties[...]` as POSTed. */
  properties: Record<string, unknown>;
  useSubscription: "Y" | "N";
  userId: number | null;
  /** `waiting` until bizproc.event.send (or the timeout); `done` at once when USE_SUBSCRIPTION is N. */
  status: "waiting" | "done";
  /** The step stopped waiting because timeout_duration passed. */
  timedOut?: true;
  /** RETURN_VALUES the process accepted: only RETURN_PROPERTIES keys (matched case-insensitively, stored under the registered name). */
  returnValues?: Record<string, unknown>;
  logMessage?: string;
  /** Emulator-clock ms of the accepted bizproc.event.send. */
  sentAt?: number;
  startedAt: number;
  /** bizproc.activity.log messages. */
  log: string[];
  /** seq of the handler POST in `deliveries()`. */
  deliverySeq: number;
}

/** One registered robot as `robots` reports it (property field names upper-cased, as the core stores them). */
export interface RobotInfo {
  code: string;
  handler: string;
  /** 0 = none: the handler gets no user tokens unless the run names a user. */
  authUserId: number;
  /** As sent; empty means "wait" (docs, issue b24-rest-docs#278); only an explicit `N` does not wait. */
  useSubscription: string;
  name: unknown;
  description: unknown;
  properties: Record<string, unknown>;
  returnProperties: Record<string, unknown>;
  documentType: unknown[] | null;
  filter: Record<string, unknown> | null;
  usePlacement: "Y" | "N";
  placementHandler: string | null;
}
