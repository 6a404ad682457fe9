import type { Server } from "node:http";
import { EmulatorControl, type ServerHost } from "./control";
import { controlHandler } from "./control-http";
import { close, createEmulatorServer, json, listen, type Handler } from "./http";
import { oauthHandler } from "./oauth-server";
import { portalHandler } from "./portal-server";
import { EmulatorState, type PortalState } from "./state";
import type { EmulatorOptions, EmulatorPortal, PortalSeed } from "./types";

export type * from "./types";
export { EmulatorControl } from "./control";
export { EmulatorControlClient } from "./control-client";

export interface Emulator {
  /** `/oauth/token/`, the OAuth-side `/rest/` (server_endpoint) and the `/__emulator/` control API live here. */
  oauthUrl: string;
  /** The second OAuth server (options.secondOAuth): `/oauth/token/` and `/rest/app.info` for its own portals only. */
  secondOAuthUrl?: string;
  /** Kept up to date in place when a portal is renamed. */
  portals: EmulatorPortal[];
  control: EmulatorControl;
  stop(): Promise<void>;
}

/** Starts the fake OAuth server and one listening server per portal, all on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const state = new EmulatorState(options);
  const servers: Server[] = [];
  const views = new Map<string, EmulatorPortal>();

  const listenPortal = async (portal: PortalState, port: number): Promise<void> => {
    let ownPort = -1;
    const srv = createEmulatorServer(state, "portal", (req) => portalHandler(state, portal, ownPort)(req));
    ownPort = await listen(srv, port);
    servers.push(srv);
    portal.servers.push(srv);
    portal.port = ownPort;
    portal.host = `127.0.0.1:${ownPort}`;
    portal.url = `http://${portal.host}`;
    const view = views.get(portal.memberId);
    if (view) Object.assign(view, { url: portal.url, host: portal.host });
    else views.set(portal.memberId, { url: portal.url, host: portal.host, memberId: portal.memberId });
  };

  const host: ServerHost = {
    async addPortal(seed: PortalSeed) {
      const portal = state.createPortal(seed);
      try {
        await listenPortal(portal, seed.port ?? 0);
      } catch (e) {
        state.portals.delete(portal.memberId);
        throw e;
      }
      return views.get(portal.memberId) as EmulatorPortal;
    },
    async renamePortal(memberId: string, port?: number) {
      const portal = state.portal(memberId);
      const oldUrl = portal.url;
      await listenPortal(portal, port ?? 0);
      return { ...(views.get(memberId) as EmulatorPortal), oldUrl };
    },
    portalList: () => [...views.values()].map((v) => ({ ...v })),
  };

  const control = new EmulatorControl(state, host);
  const oauth = createEmulatorServer(state, "oauth", oauthHandler(state, controlHandler(control)));
  const oauthPort = await listen(oauth, options.oauthPort ?? 0);
  servers.push(oauth);
  state.oauthHost = `127.0.0.1:${oauthPort}`;
  state.oauthUrl = `http://${state.oauthHost}`;
  if (options.secondOAuth) {
    const noControl: Handler = async () => json(404, { error: "NOT_FOUND", error_description: "The control API lives on the first OAuth server" });
    const second = createEmulatorServer(state, "oauth", oauthHandler(state, noControl, 2));
    servers.push(second);
    state.secondOAuthUrl = `http://127.0.0.1:${await listen(second, options.secondOAuth.port ?? 0)}`;
  }

  const portals: EmulatorPortal[] = [];
  try {
    for (const seed of options.portals ?? [{}]) portals.push(await host.addPortal(seed));
  } catch (e) {
    await Promise.all(servers.map(close));
    throw e;
  }

  let stopped = false;
  return {
    oauthUrl: state.oauthUrl,
    ...(state.secondOAuthUrl ? { secondOAuthUrl: state.secondOAuthUrl } : {}),
    portals,
    control,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(servers.map(close));
    },
  };
}
