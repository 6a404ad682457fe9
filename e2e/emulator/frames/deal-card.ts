import { escapeHtml, html, json, type Incoming, type Reply } from "../http";
import { errorPage, page } from "../pages";
import type { EmulatorState, Placement, PortalState } from "../state";
import type { SeedUser } from "../types";
import { bridgeScript } from "../lifecycle/bridge";
import { portalPageUser } from "../lifecycle/launcher";
import { buildFrame, clientSpec, frameHtml, langOf, safeJson, type FrameSpec } from "./frame-spec";
import { SLIDER_CSS } from "./slider-script";
import { withCookie } from "./session";

/**
 * A CRM deal card (`/crm/deal/details/<id>/`) with the app's CRM_DEAL_DETAIL_TAB widgets as tabs
 * (extensions reference §1.1, §1.4). Widgets are invisible until the install is finished; a tab's frame is the
 * opening user's, POSTed like the main page with PLACEMENT_OPTIONS `{"ID","URI"}`.
 */
export const DEAL_CARD_PATH = /^\/crm\/deal\/details\/(\d+)\/(tab)?$/;
const PLACEMENT = "CRM_DEAL_DETAIL_TAB";
export const TAB_FRAME_STYLE = "width:100%;height:200px;border:1px solid #ccd;display:block";

type Bound = Placement & { langAll?: Record<string, { TITLE?: string }> };

/** Title in the page's language when LANG_ALL gave one, else the plain title (core falls back to the app name). */
export function tabTitle(p: Bound, lang: string, appName: string): string {
  return p.langAll?.[lang]?.TITLE || p.title || appName;
}

export function dealTabs(portal: PortalState): Bound[] {
  if (!portal.installed || !portal.installFinished) return [];
  return portal.placements.filter((p) => p.placement.toUpperCase() === PLACEMENT) as Bound[];
}

function tabFrame(state: EmulatorState, portal: PortalState, user: SeedUser, dealId: number, tab: Bound, lang: string): FrameSpec {
  const uri = `/crm/deal/details/${dealId}/`;
  return buildFrame(state, portal, {
    user, target: tab.handler, kind: "placement", placement: PLACEMENT,
    options: JSON.stringify({ ID: String(dealId), URI: uri }), lang, install: false,
  });
}

function check(portal: PortalState, dealId: number): Reply | null {
  if (portal.deleted) return errorPage(403, "Portal was deleted", "This Bitrix24 portal no longer exists.");
  if (!portal.deals.has(dealId)) return errorPage(404, "Deal not found", "The deal does not exist or has been deleted.");
  return null;
}

/** GET /crm/deal/details/<id>/tab?index=N[&user=&lang=]: the frame spec of one tab, for the card's script. */
export function dealTabSpec(state: EmulatorState, portal: PortalState, req: Incoming, dealId: number): Reply {
  const failed = check(portal, dealId);
  if (failed) return json(failed.status, { error: "NOT_FOUND" });
  const { user, cookie } = portalPageUser(state, portal, req);
  const tab = dealTabs(portal)[Number(req.query.index)];
  if (!user || !tab) return json(404, { error: "NOT_FOUND" });
  const spec = tabFrame(state, portal, user, dealId, tab, langOf(req.query));
  return withCookie(json(200, { ...clientSpec(spec), action: spec.action, fields: spec.fields }), cookie);
}

export function dealCardPage(state: EmulatorState, portal: PortalState, req: Incoming, dealId: number): Reply {
  const failed = check(portal, dealId);
  if (failed) return failed;
  const { user, cookie } = portalPageUser(state, portal, req);
  if (!user) return errorPage(400, "Unknown user", "No such user on this portal.");
  const lang = langOf(req.query);
  const deal = portal.deals.get(dealId)!;
  const tabs = dealTabs(portal);
  const selected = req.query.tab !== undefined && tabs[Number(req.query.tab)] ? Number(req.query.tab) : -1;
  const buttons = tabs
    .map((t, i) => `<button type="button" role="tab" data-index="${i}" aria-selected="${i === selected}">${escapeHtml(tabTitle(t, lang, state.app.clientId))}</button>`)
    .join("");
  const spec = selected >= 0 ? tabFrame(state, portal, user, dealId, tabs[selected]!, lang) : null;
  const query = new URLSearchParams({ user: String(user.id), lang });
  const cfg = {
    userId: user.id, clientId: state.app.clientId,
    reloadUrl: `/crm/deal/details/${dealId}/?${query.toString()}${selected >= 0 ? `&tab=${selected}` : ""}`,
    main: spec ? { ...clientSpec(spec), elementId: "placement-frame", formId: "placement-form" } : null,
    tabs: { endpoint: `/crm/deal/details/${dealId}/tab`, query: query.toString(), containerId: "tab-panel", frameStyle: TAB_FRAME_STYLE },
  };
  return withCookie(html(200, page(`${deal.TITLE ?? ""} — ${portal.host}`, `<h1 id="deal-title">${escapeHtml(deal.TITLE ?? "")}</h1>
<p>Deal #${dealId} on ${escapeHtml(portal.host)}. Signed in as ${escapeHtml(`${user.name} ${user.lastName}`)}.
Card data reloaded <span id="card-reloads">0</span> times.</p>
<p id="portal-notice" aria-live="polite"></p>
<div role="tablist" aria-label="Deal tabs">${buttons}</div>
<div id="tab-panel" role="tabpanel">${spec ? frameHtml(spec, { form: "placement-form", frame: "placement-frame" }, TAB_FRAME_STYLE) : ""}</div>
<script>${bridgeScript(safeJson(cfg))}</script>`, { wide: true, css: SLIDER_CSS })), cookie);
}
