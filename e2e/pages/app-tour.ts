import { expect, type Frame, type FrameLocator, type Page, type Request } from "@playwright/test";
import type { EmulatorApi } from "../emulator-api";
import { e2e } from "../env";
import { PortalAppPage } from "./portal-app";
import { PortalLoginPage } from "./portal-login";

/**
 * Walking the app's pages in any language: nothing here reads UI text (which follows the locale), only addresses,
 * form names, roles and the page's lang. The emulator's own pages are always English.
 */

/**
 * Requests of `page` and its frames still in flight, and when the last one started or ended. Next.js's link
 * prefetches (`_rsc=`) are left out: they are not content and may stay open.
 */
const traffic = new WeakMap<Page, { pending: Set<Request>; lastMs: number }>();

export function trackTraffic(page: Page) {
  let t = traffic.get(page);
  if (!t) {
    const state = { pending: new Set<Request>(), lastMs: Date.now() };
    const counts = (r: Request) => !r.url().includes("_rsc=");
    page.on("request", (r) => counts(r) && (state.pending.add(r), (state.lastMs = Date.now())));
    const done = (r: Request) => state.pending.delete(r) && (state.lastMs = Date.now());
    page.on("requestfinished", done);
    page.on("requestfailed", done);
    traffic.set(page, (t = state));
  }
  return t;
}

/**
 * The page (or a frame in it) has its heading, no request has been in flight for half a second (the data a page
 * fetches after hydration has arrived), and no list is still loading.
 */
export async function settle(page: Page, root: Page | FrameLocator = page): Promise<void> {
  const t = trackTraffic(page);
  await expect(root.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expect
    .poll(() => (t.pending.size === 0 && Date.now() - t.lastMs >= 500 ? "quiet" : [...t.pending].map((r) => r.url()).join(", ") || "recent traffic"), {
      message: "requests still in flight",
      timeout: 20_000,
    })
    .toBe("quiet");
  await expect(root.locator('[aria-busy="true"]')).toHaveCount(0);
}

export class StandaloneApp {
  constructor(private readonly page: Page) {
    trackTraffic(page);
  }

  /** Opens `path` and waits for it to settle; returns the HTTP status of the document. */
  async open(path: string): Promise<number> {
    const res = await this.page.goto(path);
    await settle(this.page);
    return res?.status() ?? 0;
  }

  async expectLang(locale: string): Promise<void> {
    await expect(this.page.locator("html")).toHaveAttribute("lang", locale);
  }

  /** Standalone sign-in as the portal's administrator from the landing page, whatever the page's language. */
  async signIn(host: string = e2e.portalHost): Promise<void> {
    const login = new PortalLoginPage(this.page);
    await login.signOut(host);
    await this.open("/");
    await this.page.locator('input[name="portal"]').fill(host);
    await this.page.locator('input[name="portal"]').press("Enter");
    await login.expectOpen(host);
    await login.allow();
    await expect(this.page).toHaveURL(/\/dashboard$/);
    await settle(this.page);
  }
}

/** The app's document inside a portal page's iframe, reached by its address (Frame.goto keeps the frame's session). */
export function appFrame(page: Page, iframeName?: string): Frame {
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(e2e.appUrl) && (!iframeName || f.name() === iframeName));
  if (!frame) throw new Error(`no app frame on ${page.url()}`);
  return frame;
}

/**
 * A new portal with the app installed the way an administrator does it: the portal opens the app's installer in its
 * frame (with the portal user's language `lang`), the installer binds events and placements and reports success,
 * and the portal reloads into the app. `whileInstalling` runs while the installer shows its finished state: the
 * portal's reload waits for it.
 */
export async function installInPortal(
  page: Page,
  emulator: EmulatorApi,
  opts: { lang: string; seed?: Parameters<EmulatorApi["addPortal"]>[0]; whileInstalling?: (app: PortalAppPage) => Promise<void> },
) {
  trackTraffic(page);
  const portal = await emulator.addPortal({ deals: 12, contacts: 6, ...opts.seed, installed: false });
  await emulator.install(portal.memberId);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const finish = (url: URL) => url.pathname === "/marketplace/app/install-finish";
  await page.route(finish, async (route) => {
    await held;
    await route.continue();
  });
  const app = new PortalAppPage(page);
  await app.open(portal.url, undefined, opts.lang);
  await expect(app.frame.locator("html")).toHaveAttribute("lang", opts.lang);
  await expect(app.frame.locator('[data-phase="done"]')).toBeVisible();
  try {
    await opts.whileInstalling?.(app);
  } finally {
    release();
  }
  await app.expectInstallFinished();
  await page.unroute(finish);
  await settle(page, app.frame);
  return { portal, app };
}
