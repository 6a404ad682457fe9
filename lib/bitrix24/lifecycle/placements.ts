import "server-only";
import { env } from "@/lib/env";
import { B24Error, isB24Error } from "@/lib/errors";
import type { B24Client } from "../transport/client";
import type { PlacementQuery, PlacementSpec } from "../manifest";
import { declaredPlacements, manifestPage, placementSpec } from "../registry";

/**
 * Placements (https://apidocs.bitrix24.com/api-reference/widgets/index.html): the manifest's entries bound with
 * placement.bind, and the frame POST of an opened placement turned into one of the app's pages. Every placement
 * shares one handler URL; Bitrix24 keeps handlers unique per (placement, handler), so that is allowed.
 */
export function placementHandlerUrl(): string {
  return new URL("/api/b24/placement", env().NEXTAUTH_URL).toString();
}

interface BoundPlacement {
  placement?: unknown;
  handler?: unknown;
  title?: unknown;
  langAll?: unknown;
}

const ALREADY_BOUND = /already (binded|bound|exists)/i;

function langAll(spec: PlacementSpec): Record<string, { TITLE: string }> {
  return Object.fromEntries(Object.entries(spec.title).map(([lang, title]) => [lang, { TITLE: title }]));
}

/** True when what the portal holds shows every title the manifest gives (else the binding is renewed). */
function sameTitles(bound: BoundPlacement, spec: PlacementSpec): boolean {
  const held = bound.langAll && typeof bound.langAll === "object" ? (bound.langAll as Record<string, { TITLE?: unknown }>) : {};
  return Object.entries(spec.title).every(([lang, title]) => held[lang]?.TITLE === title);
}

export interface PlacementSync {
  bound: string[];
  kept: string[];
  removed: string[];
}

/**
 * Makes the portal's bindings of this app's handler equal the manifest: placements no longer declared are
 * unbound, changed titles re-bound, missing ones bound (a manifest with no placements leaves the portal alone). Idempotent, so the installer of every version and
 * ONAPPUPDATE run it whether or not Bitrix24 dropped the old bindings (the docs and the core disagree on that).
 * Needs an administrator's token (placement.* are admin-only).
 */
export async function syncPlacements(client: B24Client): Promise<PlacementSync> {
  const out: PlacementSync = { bound: [], kept: [], removed: [] };
  const declared = declaredPlacements();
  const handler = placementHandlerUrl();
  // Without declared placements the app may lack the `placement` scope: nothing to ask, nothing to bind.
  if (!declared.length) return out;
  const held = await client.call<BoundPlacement[]>("placement.get", {});
  const ours = (Array.isArray(held.result) ? held.result : []).filter((p) => p.handler === handler);
  for (const p of ours) {
    const code = String(p.placement).toUpperCase();
    if (declared.includes(code)) continue;
    await client.call("placement.unbind", { PLACEMENT: code, HANDLER: handler });
    out.removed.push(code);
  }
  for (const code of declared) {
    const spec = placementSpec(code)!;
    const existing = ours.find((p) => String(p.placement).toUpperCase() === code);
    if (existing && sameTitles(existing, spec)) {
      out.kept.push(code);
      continue;
    }
    if (existing) await client.call("placement.unbind", { PLACEMENT: code, HANDLER: handler });
    try {
      await client.call("placement.bind", { PLACEMENT: code, HANDLER: handler, TITLE: spec.title.en, LANG_ALL: langAll(spec) });
      out.bound.push(code);
    } catch (err) {
      // A concurrent installer run bound it between our placement.get and this bind.
      if (!(isB24Error(err) && err.upstream === "ERROR_CORE" && ALREADY_BOUND.test(err.message))) throw err;
      out.kept.push(code);
    }
  }
  return out;
}

function parseOptions(raw: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new B24Error("bad_request", "Bitrix24 sent placement options this app cannot read. Open it from Bitrix24 again.");
  }
}

function withQuery(page: string, query: PlacementQuery): string {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return qs ? `${page}?${qs}` : page;
}

/**
 * Where a verified frame POST goes. A declared placement: its page, with PLACEMENT_OPTIONS parsed by its schema
 * (anything else is refused, never passed through). The app URL (DEFAULT): the dashboard, or the manifest page an
 * openApplication slider asked for with `{ page: "/settings" }`, marked `frame=slider`.
 */
export function placementTarget(placement: string, rawOptions: string): string {
  const code = placement.toUpperCase();
  if (code === "DEFAULT") {
    const options = parseOptions(rawOptions);
    const asked = options && typeof options === "object" ? manifestPage((options as { page?: unknown }).page) : undefined;
    return asked ? withQuery(asked, { frame: "slider" }) : "/dashboard";
  }
  const spec = placementSpec(code);
  if (!spec) throw new B24Error("not_found", `This app has no handler for the Bitrix24 placement ${code.slice(0, 64)}. Reinstall the app so its placements are bound again.`);
  const parsed = spec.options.safeParse(parseOptions(rawOptions));
  if (!parsed.success) throw new B24Error("bad_request", `Bitrix24 opened ${code} with options this app does not accept.`);
  return withQuery(spec.page, parsed.data);
}
