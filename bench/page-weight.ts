import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { BARE_LAYOUT, buildBare } from "./bare-next";
import { frameClientWeights } from "./frame-client";
import { kb, type Cell } from "./table";

/**
 * First-load JavaScript per route, gzipped, read from a Turbopack production build: the root main files every App
 * Router page loads (build-manifest.json `rootMainFiles`) plus the route's own entry chunks (its
 * page_client-reference-manifest.js `entryJSFiles` for the layouts and the page). The baseline is a bare Next.js app
 * (one layout, one static page, no client code) built with the same `next` from this worktree's node_modules.
 */
const root = fileURLToPath(new URL("..", import.meta.url));

export interface RouteWeight {
  route: string;
  bytes: number;
  /** Chunks no bare page needs: the route's own client code. */
  ownBytes: number;
  files: number;
}

function gz(file: string): number {
  return gzipSync(readFileSync(file)).length;
}

/** The app/ folder of a URL path, route groups included: /dashboard may live in app/(app)/dashboard. */
function routeDir(dist: string, route: string): string {
  const want = route.split("/").filter(Boolean);
  const search = (rel: string[], rest: string[]): string[] | null => {
    if (rest.length === 0 && existsSync(join(dist, "server/app", ...rel, "page_client-reference-manifest.js"))) return rel;
    for (const e of readdirSync(join(dist, "server/app", ...rel), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const found = /^\(.+\)$/.test(e.name) ? search([...rel, e.name], rest) : e.name === rest[0] ? search([...rel, e.name], rest.slice(1)) : null;
      if (found) return found;
    }
    return null;
  };
  const found = search([], want);
  if (!found) throw new Error(`no built page for ${route}`);
  return found.join("/");
}

function entryFiles(dist: string, route: string): string[] {
  const dir = routeDir(dist, route);
  const text = readFileSync(join(dist, "server/app", dir, "page_client-reference-manifest.js"), "utf8");
  const m = /"entryJSFiles":(\{[^}]*\})/.exec(text);
  if (!m) throw new Error(`no entryJSFiles for ${route}`);
  const entries = JSON.parse(m[1]!) as Record<string, string[]>;
  const page = `[project]/app${dir ? `/${dir}` : ""}/page`;
  // Layouts on the route's path and the page itself; global-error loads only when rendering fails.
  return Object.entries(entries)
    .filter(([k]) => k === page || (/\/layout$/.test(k) && page.startsWith(k.replace(/\/layout$/, "/"))))
    .flatMap(([, files]) => files);
}

export function routeWeight(dist: string, route: string): RouteWeight {
  const manifest = JSON.parse(readFileSync(join(dist, "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  const rootFiles = new Set(manifest.rootMainFiles);
  const own = [...new Set(entryFiles(dist, route))].filter((f) => !rootFiles.has(f));
  const all = [...rootFiles, ...own];
  return {
    route,
    bytes: all.reduce((n, f) => n + gz(join(dist, f)), 0),
    ownBytes: own.reduce((n, f) => n + gz(join(dist, f)), 0),
    files: all.length,
  };
}

export interface PageWeights {
  rows: Cell[][];
  routes: RouteWeight[];
  bare: RouteWeight;
  dashboardBudget: number;
  frameClient: { ours: number; sdk: number };
}

export async function pageWeightBench(): Promise<PageWeights | null> {
  const dist = join(root, ".next");
  if (!existsSync(join(dist, "BUILD_ID"))) return null;
  // The deal card's tab is what a placement (a page framed inside a Bitrix24 screen) weighs.
  const routes = ["/", "/dashboard", "/deals", "/placements/deal-tab"].map((r) => routeWeight(dist, r));
  const built = buildBare("bare-app", BARE_LAYOUT);
  let bare: RouteWeight;
  try {
    bare = routeWeight(join(built.dir, ".next"), "/");
  } finally {
    built.remove();
  }
  const dashboard = routes.find((r) => r.route === "/dashboard")!;
  const dashboardBudget = 1.1 * (bare.bytes + dashboard.ownBytes);
  const rows: Cell[][] = [
    ["page", "first-load JS (gzip)", "of which the page's own chunks", "files"],
    ["bare Next.js page", kb(bare.bytes), kb(bare.ownBytes), bare.files],
    ...routes.map((r) => [r.route === "/" ? "landing /" : r.route, kb(r.bytes), kb(r.ownBytes), r.files]),
  ];
  const frameClient = await frameClientWeights();
  rows.push(
    ["frame client: components/b24-frame.ts (in the pages above)", kb(frameClient.ours), "", ""],
    ["frame client: @bitrix24/b24jssdk initializeB24Frame, tree-shaken (not used)", kb(frameClient.sdk), "", ""],
  );
  return { rows, routes, bare, dashboardBudget, frameClient };
}
