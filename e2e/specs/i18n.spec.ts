import type { FrameLocator, Page } from "@playwright/test";
import type { Locale } from "../../lib/i18n/locales";
import { expect, test } from "../fixtures";
import { expectSpeaks } from "../language";
import { settle, trackTraffic } from "../pages/app-tour";
import { DealCardPage } from "../pages/deal-card";
import { installedInFrame, portalRest } from "../portal-setup";

/**
 * The app speaks the portal's language (issue 15): inside the emulated portal the frame POST's LANG decides, every
 * signed-in page and the deal tab render in it (checked against the message catalogues), money follows the locale
 * and the deal's currency; standalone, the stored language, then Accept-Language, and the switcher.
 */
// In link order: the doctor is linked from the dashboard, the rest from the header.
const SIGNED_IN_PAGES = ["/doctor", "/deals", "/contacts", "/reports", "/settings", "/dashboard"];
const TAB_TITLE: Record<Locale, string> = { en: "Template app", ru: "Приложение-шаблон", de: "Vorlagen-App" };

/** Follows the app's own link to `path` inside the frame and waits for its data to arrive. */
async function visit(page: Page, frame: FrameLocator, path: string): Promise<void> {
  await frame.locator(`a[href="${path}"]`).first().click();
  await expect.poll(() => page.frames().some((f) => new URL(f.url()).pathname === path)).toBe(true);
  await settle(page, frame);
}

for (const locale of ["ru", "de"] as const) {
  test(`inside the portal with LANG=${locale}: every page and the deal tab speak it; money follows the locale and the deal's currency`, async ({ page, emulator, db }) => {
    test.setTimeout(120_000);
    trackTraffic(page);
    const { portal, app } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    await app.open(portal.url, undefined, locale);
    await expect(app.frame.locator("html")).toHaveAttribute("lang", locale);
    await settle(page, app.frame);
    await expectSpeaks(app.frame, locale, `${locale} /dashboard`);
    for (const path of SIGNED_IN_PAGES) {
      await visit(page, app.frame, path);
      await expectSpeaks(app.frame, locale, `${locale} ${path}`);
    }
    expect((await db.languages(portal.memberId, 1)).user).toBe(locale);

    const deal = await portalRest<{ ID: string; OPPORTUNITY: string; CURRENCY_ID: string }>(emulator, portal, "crm.deal.get", { id: 3 });
    const card = new DealCardPage(page);
    await card.open(portal.url, deal.ID, { lang: locale });
    await card.tabButton(TAB_TITLE[locale]).click();
    await expect(card.field("amount")).toHaveText(new Intl.NumberFormat(locale, { style: "currency", currency: deal.CURRENCY_ID }).format(Number(deal.OPPORTUNITY)));
    await expectSpeaks(card.tab, locale, `${locale} deal tab`);
  });
}

test("a LANG the app does not speak (ua) keeps the portal page working in the fallback language", async ({ page, emulator }) => {
  const { portal, app } = await installedInFrame(page, emulator);
  await app.open(portal.url, undefined, "ua");
  await expectSpeaks(app.frame, "en", "ua → en");
});

test.describe("standalone", () => {
  test.use({ locale: "de-DE" });

  const connect = async (page: Page, host: string) => {
    await page.locator('input[name="portal"]').fill(host);
    await page.locator('input[name="portal"]').press("Enter");
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
  };
  const switchTo = (page: Page, locale: Locale) => page.locator(`button[name="locale"][value="${locale}"]`).click();

  test("Accept-Language picks the language; the switcher overrides it, is remembered, and follows the person to a new browser", async ({ page, emulator, db, portalLogin }) => {
    const portal = await emulator.addPortal({ installed: true, installFinished: true, deals: 5 });
    await page.goto("/");
    await expectSpeaks(page, "de", "landing (Accept-Language de)");

    await switchTo(page, "ru");
    await expectSpeaks(page, "ru", "landing after the switcher");
    await page.reload();
    await expectSpeaks(page, "ru", "landing after a reload");

    await connect(page, portal.host);
    await expectSpeaks(page, "ru", "dashboard");
    await switchTo(page, "en");
    await expectSpeaks(page, "en", "dashboard after the switcher");
    await expect.poll(async () => (await db.languages(portal.memberId, 1)).user).toBe("en");

    // A new browser (no cookie) whose Accept-Language says German: the person's stored choice wins once signed in.
    await page.context().clearCookies();
    await portalLogin.signOut(portal.host);
    await page.goto("/");
    await expectSpeaks(page, "de", "landing in a new browser");
    await connect(page, portal.host);
    await expectSpeaks(page, "en", "dashboard for the person who chose English");
  });
});

test.describe("standalone, a browser language the app does not speak", () => {
  test.use({ locale: "fr-FR" });

  test("the portal's language (ONAPPUPDATE data[LANGUAGE_ID]) is the fallback of a person who never chose one", async ({ page, emulator, db }) => {
    const { portal } = await installedInFrame(page, emulator, { language: "ru" });
    const { deliveries } = await emulator.update(portal.memberId);
    expect(deliveries.length).toBeGreaterThan(0);
    await expect.poll(async () => (await db.languages(portal.memberId, 1)).portal).toBe("ru");
    // Maria never opened the app inside Bitrix24 nor chose a language, and her browser asks for French.
    await page.context().clearCookies();
    await page.goto("/");
    await expectSpeaks(page, "en", "landing");
    await page.locator('input[name="portal"]').fill(portal.host);
    await page.locator('input[name="portal"]').press("Enter");
    await page.getByLabel("Sign in as").selectOption({ label: "Maria Ivanova" });
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect.poll(async () => (await db.languages(portal.memberId, 2)).user).toBeNull();
    await expectSpeaks(page, "ru", "dashboard in the portal's language");
  });});

for (const locale of ["ru", "de"] as const) {
  test.describe(`signed-out pages, Accept-Language ${locale}`, () => {
    test.use({ locale: `${locale}-${locale.toUpperCase()}` });

    test(`the landing, sign-in error, 404 and the route handlers' own pages speak ${locale}`, async ({ page }) => {
      for (const path of ["/", "/auth/error?error=AccessDenied", "/no-such-page", "/api/b24/app", "/install"]) {
        await page.goto(path);
        await expectSpeaks(page, locale, `${locale} ${path}`);
      }
    });
  });
}
