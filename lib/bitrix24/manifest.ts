import type { ZodType } from "zod";
import type { Locale } from "@/lib/i18n/locales";
import type { AddParams, ListParams } from "./types";
import type { FormTree } from "./lifecycle/form";
import type { B24Client } from "./transport/client";

/**
 * The shape of the app manifest (`bitrix24.app.ts` at the repository root): the one declaration of what this app is
 * in Bitrix24. Everything reads it: the installer binds exactly its events (plus the lifecycle ones), the doctor
 * compares it with what the portal reports, the REST proxy allows exactly its methods, and the events route runs
 * its handlers, always after the delivery was authenticated. Pure types and two helpers: safe to import anywhere
 * (client components import the manifest's type only).
 */

/** A REST method pages may call through the proxy, with its params and result types (phantom: no runtime value). */
export interface MethodSpec<P extends object = object, R = unknown> {
  readonly __params?: P;
  readonly __result?: R;
}

/** Declares a proxy method's types: `"crm.deal.list": method<ListParams<Deal>, Deal[]>()`. */
export function method<P extends object = object, R = unknown>(): MethodSpec<P, R> {
  return {};
}

type CrmVerbs<Row> = {
  list: MethodSpec<ListParams<Row>, Row[]>;
  get: MethodSpec<{ id: number | string }, Row>;
  add: MethodSpec<AddParams<Row>, number>;
  update: MethodSpec<AddParams<Row> & { id: number | string }, boolean>;
  fields: MethodSpec<Record<string, never>, Record<string, unknown>>;
};
const CRM_VERBS = ["list", "get", "add", "update", "fields"] as const;

/**
 * A CRM entity's page methods in one manifest line: `...crm<"contact", Contact>("contact")` declares
 * crm.contact.list/get/add/update/fields with their types. Deleting is left out on purpose: add it by name.
 */
export function crm<E extends string, Row>(entity: E): { [V in keyof CrmVerbs<Row> as `crm.${E}.${V}`]: CrmVerbs<Row>[V] } {
  return Object.fromEntries(CRM_VERBS.map((v) => [`crm.${entity}.${v}`, {}])) as { [V in keyof CrmVerbs<Row> as `crm.${E}.${V}`]: CrmVerbs<Row>[V] };
}

/** A signed-in page in the app's navigation. */
export interface NavPage {
  href: `/${string}`;
  /** The link's text in every language the app speaks (lib/i18n/locales.ts): a missing one does not compile. */
  label: Record<Locale, string>;
  /** Kept out of the header's navigation (still a page the app URL and openApplication may open). */
  hidden?: boolean;
}

/**
 * What an event handler gets. It runs from the inbox (lib/bitrix24/inbox/), after the delivery's application_token
 * matched the stored one and the delivery was stored, never while Bitrix24 waits for the answer.
 */
export interface EventContext {
  memberId: string;
  /** Upper case, e.g. ONCRMDEALADD. */
  event: string;
  /** The delivery's `data[...]` tree, e.g. `data.FIELDS.ID`; strings as Bitrix24 posted them, to be validated. */
  data: FormTree;
  /** Bitrix24's `ts` (unix seconds) and handler id, as delivered. */
  ts: string | null;
  handlerId: string | null;
  /**
   * The same for every run of this delivery: handlers run at least once (a retry after a failure, or after a worker
   * died mid-run), so make the effect idempotent with this key.
   */
  idempotencyKey: string;
  /** 1 for the first run. */
  attempt: number;
  /** Acts with the installer's stored pair (never with tokens from the delivery). */
  b24: B24Client;
}

export type EventHandler = (ctx: EventContext) => Promise<void>;

/**
 * An event with a delivery choice. `offline: true` binds it as an offline event: Bitrix24 keeps it in the portal's
 * queue (latest state per object) until the app takes it, so nothing is lost while the app is down; the app drains
 * the queue when ONOFFLINEEVENT says it has rows, commits the events to the inbox, and only then clears them. It
 * needs an administrator as installer and, on cloud portals, a plan with `rest_offline_extended`.
 */
export interface EventSpec {
  handler: EventHandler;
  offline?: boolean;
}

/** A placement's page query: what its options schema makes of PLACEMENT_OPTIONS (flat, URL-safe values). */
export type PlacementQuery = Record<string, string | number>;

/**
 * A placement (a tab in the deal card, a menu item…), keyed in the manifest by its Bitrix24 code, e.g.
 * CRM_DEAL_DETAIL_TAB. The installer binds it with placement.bind (title per language as LANG_ALL); when a user
 * opens it, /api/b24/placement verifies the frame POST like the app URL, parses PLACEMENT_OPTIONS with `options`
 * and sends the person to `page` with the parsed values as its query. PLACEMENT_OPTIONS stays attacker-controlled
 * after that: a page reads any id in it back through REST with the opening user's own token before showing it.
 */
export interface PlacementSpec {
  page: `/${string}`;
  /** The tab or menu label per language; `en` is required (it is also the plain TITLE). */
  title: { en: string } & Record<string, string>;
  /** Parses the decoded PLACEMENT_OPTIONS object; unknown keys should be dropped, ids checked by shape. */
  options: ZodType<PlacementQuery>;
}

/** Property types Bitrix24 robots accept (bizproc.robot.add PROPERTIES[*].Type). */
export type RobotPropertyType = "bool" | "date" | "datetime" | "double" | "int" | "select" | "string" | "text" | "user";

/** One input or return property of a robot; `name.en` is required, every language given goes to Bitrix24. */
export interface RobotProperty {
  name: { en: string } & Record<string, string>;
  description?: { en: string } & Record<string, string>;
  type: RobotPropertyType;
  required?: boolean;
  /** What a new automation step holds until someone sets it (posted back as a string). */
  default?: string | number | boolean;
  /** For `select`: value → title. */
  options?: Record<string, string>;
}

/**
 * What a robot handler gets. It runs from the inbox, after the robot call's application_token matched the stored
 * one and the call was stored; the result goes back to the waiting automation step with bizproc.event.send.
 */
export interface RobotContext {
  memberId: string;
  /** The robot's code, e.g. score_deal. */
  code: string;
  /** Bitrix24's document id as posted and checked by shape, e.g. DEAL_12. */
  documentId: string;
  /** The number in documentId for a deal (an id to read back through REST, not a proof that it exists). */
  dealId?: number;
  /**
   * The declared input properties as Bitrix24 posted them: strings only, only declared keys, each checked against its
   * type's shape (an int is digits, a bool Y or N); a property the step left empty is "" or absent.
   */
  properties: Record<string, string>;
  /** The same for every run of this robot call (runs are at least once): make effects idempotent with it. */
  idempotencyKey: string;
  /** 1 for the first run. */
  attempt: number;
  /** Acts with the installer's stored pair (never with tokens from the robot call). */
  b24: B24Client;
}

/** Values for the robot's return properties (keys not declared in `returnProperties` are dropped). */
export type RobotResult = Record<string, string | number | boolean>;

/**
 * An automation rule (robot), keyed in the manifest by its code (a-z, A-Z, 0-9, `.`, `_`, `-`). The installer
 * registers it with bizproc.robot.add (and updates it on every install and ONAPPUPDATE); when a deal's automation
 * reaches it, Bitrix24 POSTs to /api/b24/robot, the app answers at once and runs `handler` from the inbox, then
 * sends the returned values back with bizproc.event.send. Robots are offered for deals only.
 */
export interface RobotSpec {
  /** The robot's name in the automation designer per language; `en` is required. */
  name: { en: string } & Record<string, string>;
  description?: { en: string } & Record<string, string>;
  /** Input properties, keyed by code (a letter, then a-z, A-Z, 0-9, `_`). */
  properties?: Record<string, RobotProperty>;
  /** Values the robot hands back to the automation (bizproc.event.send RETURN_VALUES). */
  returnProperties?: Record<string, RobotProperty>;
  handler: (ctx: RobotContext) => Promise<RobotResult | void>;
}

export interface AppManifest<M extends Record<string, MethodSpec> = Record<string, MethodSpec>> {
  /** Scopes the app needs; the doctor flags any the portal did not grant. */
  scopes: readonly string[];
  /** The signed-in pages' navigation, in order. */
  pages: readonly NavPage[];
  /** Methods pages may call through the proxy; `B24_PROXY_METHODS` may narrow this list, never widen it. */
  methods: M;
  /** Business events (bound at install, re-bound on update) and their handlers; `{ handler, offline: true }` pulls them from Bitrix24's offline queue. */
  events: Record<string, EventHandler | EventSpec>;
  /** Placements (tabs, menu items) keyed by Bitrix24 code; bound at install, re-bound on update. */
  placements: Record<string, PlacementSpec>;
  /** Automation robots keyed by code; registered at install, re-registered on update. */
  robots: Record<string, RobotSpec>;
}

export function defineApp<M extends Record<string, MethodSpec>>(manifest: AppManifest<M>): AppManifest<M> {
  for (const [name, spec] of Object.entries(manifest.events)) {
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(name)) throw new Error(`bitrix24.app.ts: event "${name}" must be an upper-case Bitrix24 event name such as ONCRMDEALADD.`);
    if (typeof spec !== "function" && typeof spec?.handler !== "function") throw new Error(`bitrix24.app.ts: event ${name} needs a handler (a function, or { handler, offline: true }).`);
    if (name.startsWith("ONAPP") || name === "ONOFFLINEEVENT") throw new Error(`bitrix24.app.ts: ${name} is handled by the template itself (lib/bitrix24/lifecycle/events.ts); declare business events only.`);
  }
  for (const [code, spec] of Object.entries(manifest.placements)) {
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(code) || code === "DEFAULT") throw new Error(`bitrix24.app.ts: placement "${code}" must be an upper-case Bitrix24 placement code such as CRM_DEAL_DETAIL_TAB (DEFAULT is the app URL itself).`);
    if (!spec.title.en) throw new Error(`bitrix24.app.ts: placement ${code} needs an English title (title.en).`);
  }
  for (const [code, spec] of Object.entries(manifest.robots)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(code)) throw new Error(`bitrix24.app.ts: robot "${code}" must be a code of a-z, A-Z, 0-9, ".", "_" and "-" such as score_deal.`);
    if (!spec.name.en) throw new Error(`bitrix24.app.ts: robot ${code} needs an English name (name.en).`);
    for (const [key, prop] of [...Object.entries(spec.properties ?? {}), ...Object.entries(spec.returnProperties ?? {})]) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key)) throw new Error(`bitrix24.app.ts: robot ${code} property "${key}" must start with a letter and use a-z, A-Z, 0-9 and "_".`);
      if (!prop.name.en) throw new Error(`bitrix24.app.ts: robot ${code} property ${key} needs an English name (name.en).`);
    }
  }
  return manifest;
}

/** Params and result of a manifest method, for typed callers (components/b24-client.ts). */
export type ParamsOf<S> = S extends { readonly __params?: infer P } ? NonNullable<P> : never;
export type ResultOf<S> = S extends { readonly __result?: infer R } ? NonNullable<R> : never;
