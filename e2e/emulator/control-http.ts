import { ControlError, type EmulatorControl } from "./control";
import { json, type Handler, type Incoming, type Reply } from "./http";
import { LifecycleError } from "./lifecycle/install";
import { NotFoundError } from "./state";

type Route = (c: EmulatorControl, body: Record<string, unknown>, req: Incoming, memberId: string) => Promise<unknown>;

const ROUTES: Record<string, Route> = {
  "GET health": (c) => c.health(),
  "GET log": (c, _b, r) => c.log(Number(r.query.since ?? 0) || 0),
  "POST log/clear": (c) => c.clearLog(),
  "GET tokens": (c) => c.tokens(),
  "POST expire-tokens": (c) => c.expireTokens(),
  "POST revoke-refresh-tokens": (c, b) => c.revokeRefreshTokens(b as never),
  "POST faults": (c, b) => c.addFault(b as never),
  "POST faults/clear": (c) => c.clearFaults(),
  "POST latency": (c, b) => c.setLatency(Number(b.ms ?? 0)),
  "GET clock": (c) => c.clock(),
  "POST clock": (c, b) => c.clock(b),
  "POST method-cost": (c, b) => c.setMethodCost(b as never),
  "POST reset-limits": (c) => c.resetLimits(),
  "GET deliveries": (c, _b, r) => c.deliveries(Number(r.query.since ?? 0) || 0),
  "POST portals": (c, b) => c.addPortal(b),
  "GET portals/:id": (c, _b, _r, id) => c.portal(id),
  "POST portals/:id/install": (c, b, _r, id) => c.install(id, b),
  "POST portals/:id/install-finish": (c, _b, _r, id) => c.finishInstall(id),
  "POST portals/:id/update": (c, b, _r, id) => c.update(id, b),
  "POST portals/:id/uninstall": (c, b, _r, id) => c.uninstall(id, b),
  "POST portals/:id/rename": (c, b, _r, id) => c.rename(id, b),
  "POST portals/:id/events": (c, b, _r, id) => c.events(id, b as never),
  "GET portals/:id/offline-queue": (c, _b, _r, id) => c.offlineQueue(id),
  "POST portals/:id/state": (c, b, _r, id) => c.setPortalState(id, b),
  "POST portals/:id/licence": (c, b, _r, id) => c.setLicence(id, b as never),
  "POST portals/:id/deals/seed": (c, b, _r, id) => c.seedDeals(id, b as never),
  // --- CRM test controls (timeline, deal access) ---
  "GET portals/:id/timeline": (c, _b, r, id) => c.timeline(id, r.query.entityType ?? "deal", Number(r.query.entityId ?? 0)),
  "POST portals/:id/deals/access": (c, b, _r, id) => c.setDealAccess(id, Number(b.dealId), b as never),
  // --- Frame bridge log (portal pages) ---
  "GET bridge-log": (c, _b, r) => c.bridgeLog(r.query.memberId || undefined, Number(r.query.since ?? 0) || 0),
  "POST bridge-log/clear": (c) => c.clearBridgeLog(),
  // --- Automation robots (bizproc.robot.*, bizproc.event.send) ---
  "POST portals/:id/robots/run": (c, b, _r, id) => c.runRobot(id, b as never),
  "GET portals/:id/robot-runs": (c, _b, _r, id) => c.robotRuns(id),
  "GET portals/:id/robots": (c, _b, _r, id) => c.robots(id),
};

/** JSON control API under `/__emulator/` on the OAuth server port, for tests running in another process. */
export function controlHandler(control: EmulatorControl): Handler {
  return async (req): Promise<Reply> => {
    const rest = req.path.slice("/__emulator/".length).replace(/\/$/, "");
    const m = /^portals\/([^/]+)(\/.+)?$/.exec(rest);
    const memberId = m ? decodeURIComponent(m[1] ?? "") : "";
    const key = `${req.method} ${m ? `portals/:id${m[2] ?? ""}` : rest}`;
    const route = ROUTES[key];
    if (!route) return json(404, { error: `no control route ${key}` });
    let body: Record<string, unknown> = {};
    if (req.bodyText.trim()) {
      try {
        const parsed: unknown = JSON.parse(req.bodyText);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        return json(400, { error: "body must be JSON" });
      }
    }
    try {
      const result = await route(control, body, req, memberId);
      return json(200, result ?? { ok: true });
    } catch (e) {
      if (e instanceof ControlError) return json(e.status, { error: e.message });
      if (e instanceof NotFoundError) return json(404, { error: e.message });
      if (e instanceof LifecycleError) return json(409, { error: e.message });
      throw e;
    }
  };
}
