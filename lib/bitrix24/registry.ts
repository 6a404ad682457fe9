import "server-only";
import manifest from "@/bitrix24.app";
import { env } from "@/lib/env";
import type { EventHandler, PlacementSpec, RobotSpec } from "./manifest";

/**
 * What the app manifest (bitrix24.app.ts) means at run time, each answer narrowed by the environment where the
 * README says so (never widened).
 */

/** Bitrix24 sends the uninstall event only to apps that bound it, drops handlers on update, and reports payments by
 * ONAPPPAYMENT, so every installation binds these (https://apidocs.bitrix24.com/api-reference/common/events/index.html). */
export const LIFECYCLE_EVENTS: readonly string[] = Object.freeze(["ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT"]);

/** Every event the installer binds and the doctor expects: the lifecycle ones, then the manifest's. */
export function boundEvents(): string[] {
  return [...new Set([...LIFECYCLE_EVENTS, ...Object.keys(manifest.events)])];
}

/** The manifest's handler for a business event, or undefined (the delivery is then only recorded). */
export function eventHandler(event: string): EventHandler | undefined {
  return Object.hasOwn(manifest.events, event) ? manifest.events[event] : undefined;
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
