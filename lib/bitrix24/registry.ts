import "server-only";
import manifest from "@/bitrix24.app";
import { env } from "@/lib/env";
import type { EventHandler, EventSpec, PlacementSpec, RobotSpec } from "./manifest";

/**
 * What the app manifest (bitrix24.app.ts) means at run time, each answer narrowed by the environment where the
 * README says so (never widened).
 */

/** Bitrix24 sends the uninstall event only to apps that bound it, drops handlers on update, and reports payments by
 * ONAPPPAYMENT, so every installation binds these (https://apidocs.bitrix24.com/api-reference/common/events/index.html). */
export const LIFECYCLE_EVENTS: readonly string[] = Object.freeze(["ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT"]);

/** Bitrix24's signal that its offline queue holds rows for the app (bound online when any event is offline). */
export const OFFLINE_SIGNAL = "ONOFFLINEEVENT";

const isOffline = (spec: EventHandler | EventSpec) => typeof spec !== "function" && spec.offline === true;

/** Manifest events bound as offline events (event_type=offline): pulled from Bitrix24's queue, never posted. */
export function offlineEvents(): string[] {
  return Object.entries(manifest.events).filter(([, spec]) => isOffline(spec)).map(([name]) => name);
}

/**
 * Every event the installer binds online to /api/b24/events and the doctor expects: the lifecycle ones, the
 * manifest's online ones, and ONOFFLINEEVENT when any is offline.
 */
export function boundEvents(): string[] {
  const online = Object.entries(manifest.events).filter(([, spec]) => !isOffline(spec)).map(([name]) => name);
  return [...new Set([...LIFECYCLE_EVENTS, ...online, ...(offlineEvents().length ? [OFFLINE_SIGNAL] : [])])];
}

/** The manifest's handler for a business event, or undefined (the delivery is then only recorded). */
export function eventHandler(event: string): EventHandler | undefined {
  if (!Object.hasOwn(manifest.events, event)) return undefined;
  const spec = manifest.events[event]!;
  return typeof spec === "function" ? spec : spec.handler;
}

/** Placement codes the manifest declares (bound by the installer and on update; the doctor checks them). */
export function declaredPlacements(): string[] {
  return Object.keys(manifest.placements);
}

export function placementSpec(code: string): PlacementSpec | undefined {
  return Object.hasOwn(manifest.placements, code) ? manifest.placements[code] : undefined;
}

/** Robot codes the manifest declares (registered by the installer and on update; the doctor checks them). */
export function declaredRobots(): string[] {
  return Object.keys(manifest.robots);
}

export function robotSpec(code: string): RobotSpec | undefined {
  return Object.hasOwn(manifest.robots, code) ? manifest.robots[code] : undefined;
}

/** A signed-in page of the manifest the app URL may open (openApplication's `page` param), else undefined. */
export function manifestPage(href: unknown): string | undefined {
  return manifest.pages.find((p) => p.href === href)?.href;
}

/** Methods pages may call through the proxy: the manifest's, intersected with B24_PROXY_METHODS when that is set. */
export function proxyMethods(): string[] {
  const declared = Object.keys(manifest.methods);
  const narrowed = env().B24_PROXY_METHODS?.map((m) => m.toLowerCase());
  return narrowed ? declared.filter((m) => narrowed.includes(m.toLowerCase())) : declared;
}

/** Scopes the doctor requires: the manifest's, intersected with B24_REQUIRED_SCOPES when that is set. */
export function requiredScopes(): string[] {
  const narrowed = env().B24_REQUIRED_SCOPES;
  return narrowed ? manifest.scopes.filter((s) => narrowed.includes(s)) : [...manifest.scopes];
}
