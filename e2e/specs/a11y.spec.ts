import { LOCALES } from "../../lib/i18n/locales";
import { expect, test } from "../a11y";
import { e2e } from "../env";
import { appFrame, installInPortal, settle, StandaloneApp } from "../pages/app-tour";
import { DealCardPage } from "../pages/deal-card";

/**
 * Accessibility (issue 15): axe-core on every page of the app in every language it speaks, standalone and inside
 * the emulated portal; no serious or critical WCAG 2.1 A/AA violation anywhere. Standalone the language comes from
 * the browser (Accept-Language), inside the portal from the portal page's LANG.
 */
const SIGNED_IN = ["/dashboard", "/deals", "/contacts", "/reports", "/paywall", "/settings", "/doctor"];

for (const locale of LOCALES) {
  test.describe(`${locale}`, () => {
    test.use({ locale: { en: "en-US", ru: "ru-RU", de: "de-DE" }[locale] });

    test(`public pages in ${locale}: landing, sign-in error, 404, a route handler's error`, async ({ page, a11y }) => {
      test.setTimeout(90_000);
      const app = new StandaloneApp(page);
      await app.open("/");
      await app.expectLang(locale);
      await a11y.check(`${locale} landing`);
      expect(await app.open("/auth/error?error=AccessDenied")).toBe(200);
      await app.expectLang(locale);
      await a11y.check(`${locale} sign-in error`);
      expect(await app.open("/no-such-page")).toBe(404);
      await app.expectLang(locale);
      await a11y.check(`${locale} 404`);
      // A route handler's own HTML error: the app URL opened outside Bitrix24.
      expect(await app.open("/api/b24/app")).toBeGreaterThanOrEqual(400);
      await app.expectLang(locale);
      await a11y.check(`${locale} route-handler error`);
    });

    test(`signed-in pages in ${locale}, standalone`, async ({ page, a11y }) => {
      test.setTimeout(180_000);
      const app = new StandaloneApp(page);
      await app.signIn();
      for (const path of SIGNED_IN) {
        await app.open(path);
        await app.expectLang(locale);
        const landed = new URL(page.url()).pathname;
        await a11y.check(`${locale} ${path}${landed === path ? "" : ` → ${landed}`}`);
      }
    });
  });

  test(`inside the portal with LANG=${locale}: installer, app, deal tab, forbidden page`, async ({ page, emulator, a11y }) => {
    test.setTimeout(180_000);
    const { portal, app } = await installInPortal(page, emulator, {
      lang: locale,
      whileInstalling: () => a11y.check(`${locale} installer (in the portal)`, { frame: "#app-frame" }),
    });
    await a11y.check(`${locale} dashboard (in the portal)`, { frame: "#app-frame" });

    const card = new DealCardPage(page);
    await card.open(portal.url, 3, { lang: locale });
    await card.tabs().first().click();
    await expect(card.field("title")).toBeVisible();
    await settle(page, card.tab);
    await a11y.check(`${locale} deal card tab (in the portal)`, { frame: "#placement-frame" });

    // Maria is no administrator: the install doctor answers with the forbidden page.
    await app.open(portal.url, 2, locale);
    await settle(page, app.frame);
    const res = await appFrame(page).goto(`${e2e.appUrl}/doctor`);
    expect(res?.status()).toBe(403);
    await settle(page, app.frame);
    await expect(app.frame.locator("html")).toHaveAttribute("lang", locale);
    await a11y.check(`${locale} forbidden (in the portal)`, { frame: "#app-frame" });
  });
}
