import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { installInPortal, settle, StandaloneApp } from "../pages/app-tour";
import { DealCardPage, SliderPage } from "../pages/deal-card";

/**
 * The README's and the Marketplace listing's screenshots (1280×720) in English and Russian: the app standalone and
 * inside the emulated portal (its app page, the settings slider, the deal card's tab). One fresh portal per
 * language with fictional demo data, installed through the app's own installer in the portal's frame.
 */
const OUT = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
// The dashboard's button that opens the settings in the portal's slider, in each language the app may speak.
const SETTINGS = /^(Settings|Настройки|Einstellungen)$/;

async function shoot(page: Page, name: string, locale: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}${name}.${locale}.png`, animations: "disabled" });
}

for (const [locale, browserLocale] of [["en", "en-US"], ["ru", "ru-RU"]] as const) {
  test.describe(locale, () => {
    test.use({ locale: browserLocale });

    test(`screenshots in ${locale}`, async ({ page, emulator }) => {
      const { portal, app } = await installInPortal(page, emulator, { lang: locale, seed: { deals: 120, contacts: 75, demoData: true } });
      await shoot(page, "portal-app", locale);

      await app.frame.getByRole("button", { name: SETTINGS }).click();
      const slider = new SliderPage(page);
      await expect(page.getByRole("dialog")).toBeVisible();
      await settle(page, slider.frame);
      await shoot(page, "portal-slider", locale);

      const card = new DealCardPage(page);
      await card.open(portal.url, 3, { lang: locale });
      await card.tabs().first().click();
      await card.tabs().first().blur();
      await expect(card.field("contact")).not.toHaveText("");
      await settle(page, card.tab);
      await shoot(page, "portal-deal-tab", locale);

      // Standalone: a new browser whose Accept-Language is the locale's.
      await page.context().clearCookies();
      const standalone = new StandaloneApp(page);
      await standalone.open("/");
      await standalone.expectLang(locale);
      await shoot(page, "landing", locale);
      await standalone.signIn(portal.host);
      await shoot(page, "dashboard", locale);
      for (const name of ["deals", "contacts", "doctor"]) {
        await standalone.open(`/${name}`);
        await standalone.expectLang(locale);
        await shoot(page, name, locale);
      }
    });
  });
}
