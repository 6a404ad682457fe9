import type { B24Config } from "../config";
import type { PortalStatus } from "../lifecycle/states";

/**
 * The columns of an active portal, taken only from what Bitrix24's OAuth server vouched for (a token response or
 * app.info): sign-in and install both write exactly these, so a portal row never mixes trusted and posted data.
 */
export interface VouchedPortal {
  portalHost: string;
  clientEndpoint: string;
  scope: string;
  appStatus: string | null;
}

/** The vouched columns plus the status the lifecycle (lifecycle.ts) computed for the event that vouched for them. */
export function vouchedPortalFields(v: VouchedPortal, cfg: B24Config, status: PortalStatus) {
  return {
    domain: v.portalHost,
    clientEndpoint: v.clientEndpoint,
    serverEndpoint: `${cfg.oauthServer}/rest/`,
    scope: v.scope,
    appStatus: v.appStatus,
    status,
    statusReason: null,
  };
}
