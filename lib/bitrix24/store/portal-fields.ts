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
  /** The configured OAuth server that vouched (the one this app called), never one named by request data. */
  oauthServer: string;
}

/** The vouched columns plus the status the lifecycle (lifecycle.ts) computed for the event that vouched for them. */
export function vouchedPortalFields(v: VouchedPortal, status: PortalStatus) {
  return {
    domain: v.portalHost,
    clientEndpoint: v.clientEndpoint,
    serverEndpoint: `${v.oauthServer}/rest/`,
    oauthServer: v.oauthServer,
    scope: v.scope,
    appStatus: v.appStatus,
    status,
    statusReason: null,
  };
}
