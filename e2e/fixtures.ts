import { test as base, expect } from "@playwright/test";
import { DbProbe } from "./db-probe";
import { EmulatorApi } from "./emulator-api";
import { e2e } from "./env";
import { DashboardPage } from "./pages/dashboard";
import { LandingPage } from "./pages/landing";
import { PortalLoginPage } from "./pages/portal-login";
import { sessionCookie } from "./proxy-caller";

type Fixtures = {
  emulator: EmulatorApi;
  db: DbProbe;
  landing: LandingPage;
  portalLogin: PortalLoginPage;
  dashboard: DashboardPage;
  /** Runs the whole standalone sign-in as the portal's admin and lands on the dashboard. */
  signIn: () => Promise<void>;
  /** Standalone sign-in on any emulated portal as `user` (its "Sign in as" label); returns the session cookie. */
  signInTo: (host: string, user?: { label: string; name: string }) => Promise<string>;
};

export const test = base.extend<Fixtures>({
  emulator: async ({}, use) => use(new EmulatorApi()),
  db: async ({}, use) => use(new DbProbe()),
  landing: async ({ page }, use) => use(new LandingPage(page)),
  portalLogin: async ({ page }, use) => use(new PortalLoginPage(page)),
  dashboard: async ({ page }, use) => use(new DashboardPage(page)),
  signInTo: async ({ page, landing, portalLogin, dashboard }, use) => {
    await use(async (host, user) => {
      await page.context().clearCookies();
      await landing.open();
      await landing.connect(host);
      await portalLogin.expectOpen(host);
      await portalLogin.allow(user?.label);
      await dashboard.expectSignedIn(user?.name ?? ADMIN_NAME, host);
      return sessionCookie(page.context());
    });
  },
  signIn: async ({ landing, portalLogin, dashboard }, use) => {
    await use(async () => {
      // Repeatable within one test: an earlier sign-in left the portal session that skips the login page.
      await portalLogin.signOut(e2e.portalHost);
      await landing.open();
      await landing.connect(e2e.portalHost);
      await portalLogin.expectOpen(e2e.portalHost);
      await portalLogin.allow();
      await dashboard.expectSignedIn(ADMIN_NAME, e2e.portalHost);
    });
  },
});

export const ADMIN_NAME = "Ivan Petrov";
export { expect, e2e };
