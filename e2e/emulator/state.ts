import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { Clock } from "./clock";
import type { EmulatorOptions, FaultSpec, PortalSeed, SeedUser, DeliveryResult } from "./types";
import { TokenStore } from "./tokens";
import { RequestLog } from "./log";
import { seedDeals, type Deal } from "./rest/methods/deal-data";
import { emptyContacts, seedContacts } from "./rest/methods/contact-data";
import type { CrmTable } from "./rest/methods/crm-entity";
// --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
import type { Robot, RobotRun } from "./robots/model";

export const DEFAULT_USERS: SeedUser[] = [
  { id: 1, name: "Ivan", lastName: "Petrov", email: "ivan@example.test", admin: true },
  { id: 2, name: "Maria", lastName: "Ivanova", email: "maria@example.test", admin: false },
];

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export interface Binding {
  id: number;
  event: string;
  handler: string;
  authType: number;
  offline: boolean;
  userId: number;
  /** `auth_connector` of the event.bind call ("" = none): an offline binding fills only that connector's queue. */
  connector: string;
  /** What survived the event's allowOptions (ONOFFLINEEVENT: `minTimeout`, an int). */
  options: Record<string, number>;
}

/** One b_rest_event_offline row (core EventOfflineTable). */
export interface OfflineEvent {
  id: number;
  /** md5(EVENT_NAME + "|" + json(EVENT_DATA)); with connector and processId the row's unique key. */
  messageId: string;
  event: string;
  data: Record<string, unknown>;
  /** EVENT_ADDITIONAL as event.offline.get/list show it. */
  additional: { user_id: string };
  /** TIMESTAMP_X in emulator-clock ms; refreshed when the same message is queued again while unreserved. */
  timestamp: number;
  /** "" until event.offline.get reserves the row; errored rows are released back to "". */
  processId: string;
  connector: string;
  error: boolean;
}

/**
 * The app's own REST request that caused an event. Its `connector` is the request's top-level `auth_connector`
 * ("" when none); the object itself stands for the request ("hit"), which ONOFFLINEEVENT's minTimeout=0 counts.
 * Events without an origin come from users, robots or a test's trigger and reach every offline queue.
 */
export interface EventOrigin {
  connector?: string;
}

export interface HeldEvent {
  event: string;
  data: Record<string, unknown>;
  userId: number | null;
  origin: EventOrigin | null;
}

/** One placement.bind row (extensions §1.3); `placement`, `handler` and `title` are read by the portal pages. */
export interface Placement {
  /** Row ID: placement.get answers in this order. */
  id: number;
  placement: string;
  handler: string;
  /** 0 = every user; only PAGE_BACKGROUND_WORKER binds per user. */
  userId: number;
  /** Title in the portal language ("en"), from LANG_ALL or TITLE. */
  title: string;
  description: string;
  groupName: string;
  /** What survived the per-placement OPTIONS whitelist. */
  options: Record<string, string | number>;
  langAll?: Record<string, { TITLE?: string; DESCRIPTION?: string; GROUP_NAME?: string }>;
}

/** One crm.timeline.comment.add record. */
export interface TimelineComment {
  id: number;
  entityType: string;
  entityId: number;
  authorId: number;
  comment: string;
  created: string;
}

export interface PortalState {
  memberId: string;
  port: number;
  host: string;
  url: string;
  installed: boolean;
  installFinished: boolean;
  applicationToken: string;
  users: SeedUser[];
  deals: Map<number, Deal>;
  nextDealId: number;
  contacts: CrmTable;
  bindings: Binding[];
  nextBindingId: number;
  offline: OfflineEvent[];
  nextOfflineId: number;
  /** Feature `rest_offline_extended` (event.offline.get with clear=0). */
  offlineExtended: boolean;
  appOptions: Record<string, unknown>;
  userOptions: Map<number, Record<string, unknown>>;
  placements: Placement[];
  nextPlacementId: number;
  /** crm.timeline.comment.* records of every CRM entity. */
  timeline: TimelineComment[];
  nextTimelineId: number;
  paymentRequired: boolean;
  deleted: boolean;
  plan: "standard" | "enterprise" | undefined;
  held: HeldEvent[];
  bucket: { level: number; lastMs: number };
  /** APP_SID of each launcher render, so the bridge can fetch fresh tokens for the same user. */
  frames: Map<string, number>;
  /** key method → (minute → seconds spent). */
  operating: Map<string, Map<number, number>>;
  servers: Server[];
  /** The OAuth server (region) that issues and knows this portal's tokens: 1, or 2 (EmulatorOptions.secondOAuth). */
  oauthServer: 1 | 2;
  /** The portal's language (LANGUAGE_ID of app.info and the app's lifecycle events); a user's LANG is per page. */
  language: string;
  // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
  /** bizproc.robot.add rows of the app; removed on uninstall and on update. */
  robots: Robot[];
  /** Every robot run (runRobot control), kept as history across uninstall/update. */
  robotRuns: RobotRun[];
}

export interface ResolvedApp {
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  handlerUrl?: string;
  installUrl?: string;
  installHandlerUrl?: string;
  scope: string[];
  status: string;
}

export class EmulatorState {
  readonly clock = new Clock();
  readonly app: ResolvedApp;
  readonly tokens: TokenStore;
  readonly log: RequestLog;
  readonly portals = new Map<string, PortalState>();
  readonly deliveries: DeliveryResult[] = [];
  faults: Array<FaultSpec & { remaining: number }> = [];
  latencyMs = 0;
  methodCost = new Map<string, number>();
  oauthUrl = "";
  oauthHost = "";
  /** Address of the second OAuth server (EmulatorOptions.secondOAuth), once it listens. */
  secondOAuthUrl = "";
  deliverySeq = 0;

  constructor(readonly options: EmulatorOptions) {
    const a = options.app;
    const base = a.appUrl?.replace(/\/+$/, "");
    this.app = {
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      redirectUri: a.redirectUri ?? (base ? `${base}/api/auth/callback/bitrix24` : undefined),
      handlerUrl: a.handlerUrl ?? (base ? `${base}/api/b24/app` : undefined),
      installUrl: a.installUrl ?? (base ? `${base}/api/b24/install` : undefined),
      installHandlerUrl: a.installHandlerUrl,
      scope: (a.scope ?? "crm,user,placement").split(",").map((s) => s.trim()).filter(Boolean),
      status: a.status ?? "L",
    };
    this.tokens = new TokenStore(this.clock, {
      accessTtlSec: options.accessTokenTtlSec ?? 3600,
      refreshTtlSec: (options.refreshTokenTtlDays ?? 180) * 86400,
      revokeAccessOnRefresh: options.revokeAccessTokenOnRefresh ?? true,
    });
    this.log = new RequestLog(options.logRequests ?? true);
  }

  createPortal(seed: PortalSeed): PortalState {
    const memberId = seed.memberId ?? randomHex(16);
    if (this.portals.has(memberId)) throw new Error(`portal ${memberId} already exists`);
    if (seed.oauthServer === 2 && !this.options.secondOAuth) throw new Error("oauthServer 2 needs the emulator's secondOAuth option");
    const installed = seed.installed ?? true;
    const portal: PortalState = {
      memberId,
      port: 0,
      host: "",
      url: "",
      installed,
      installFinished: installed && (seed.installFinished ?? true),
      applicationToken: installed ? randomHex(16) : "",
      users: [...(seed.users ?? DEFAULT_USERS)].sort((x, y) => Number(y.admin) - Number(x.admin) || x.id - y.id),
      deals: new Map(),
      nextDealId: 1,
      contacts: emptyContacts(),
      bindings: [],
      nextBindingId: 1,
      offline: [],
      nextOfflineId: 1,
      offlineExtended: seed.offlineExtended ?? this.options.offlineExtended ?? true,
      appOptions: {},
      userOptions: new Map(),
      placements: [],
      nextPlacementId: 1,
      timeline: [],
      nextTimelineId: 1,
      paymentRequired: false,
      deleted: false,
      plan: seed.plan,
      held: [],
      bucket: { level: 0, lastMs: this.clock.nowMs() },
      frames: new Map(),
      operating: new Map(),
      servers: [],
      oauthServer: seed.oauthServer ?? 1,
      language: seed.language ?? "en",
      // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
      robots: [],
      robotRuns: [],
    };
    // Contacts first, so seeded deals can link to them.
    seedContacts(portal.contacts, seed.contacts ?? 0, this.clock.nowMs(), seed.demoData);
    seedDeals(portal, seed.deals ?? 0, this.clock.nowMs(), seed.demoData);
    this.portals.set(memberId, portal);
    return portal;
  }

  portal(memberId: string): PortalState {
    const p = this.portals.get(memberId);
    if (!p) throw new NotFoundError(`unknown portal ${memberId}`);
    return p;
  }

  adminOf(portal: PortalState): SeedUser | undefined {
    return portal.users.find((u) => u.admin);
  }

  clientEndpoint(portal: PortalState): string {
    return `${portal.url}/rest/`;
  }

  /** The OAuth server a portal belongs to (its region): address and the app's registration there. */
  oauthServerOf(portal?: PortalState): { url: string; host: string; clientId: string; clientSecret: string } {
    const second = this.options.secondOAuth;
    if (portal?.oauthServer === 2 && second) return { url: this.secondOAuthUrl, host: new URL(this.secondOAuthUrl).host, clientId: second.clientId, clientSecret: second.clientSecret };
    return { url: this.oauthUrl, host: this.oauthHost, clientId: this.app.clientId, clientSecret: this.app.clientSecret };
  }

  /** `server_endpoint` / SERVER_ENDPOINT: the portal's own OAuth server (the first one when no portal is named). */
  serverEndpoint(portal?: PortalState): string {
    return `${this.oauthServerOf(portal).url}/rest/`;
  }
}

export class NotFoundError extends Error {}
