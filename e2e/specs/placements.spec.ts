import { e2e, expect, test } from "../fixtures";
import { expectFrameFitsContent } from "../frame-fit";
import { DealCardPage, SliderPage } from "../pages/deal-card";
import { installedInFrame, portalRest } from "../portal-setup";

/**
 * The app inside Bitrix24's own screens (extensions reference §1, §2), in Chromium against the emulated portal:
 * the installer binds the manifest's CRM_DEAL_DETAIL_TAB, the deal card frames it, the tab reads the deal back as
 * the opening user through the proxy, forged PLACEMENT_OPTIONS show Bitrix24's error and no data, the settings open
 * in the portal's slider, and every framed page keeps the iframe exactly as tall as its content.
 */
const TAB = "Template app";
const HANDLER = `${e2e.appUrl}/api/b24/placement`;

test.describe("placements and the frame bridge", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("install binds the deal tab; the tab shows the deal read through the proxy and adds a timeline comment", async ({ page, emulator }) => {
    const { portal } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    const held = await emulator.portal(portal.memberId);
    expect(held.placements).toEqual([expect.objectContaining({ placement: "CRM_DEAL_DETAIL_TAB", handler: HANDLER, title: TAB })]);
    expect(held.placements[0]!.langAll).toMatchObject({ en: { TITLE: TAB }, ru: { TITLE: "Приложение-шаблон" }, de: { TITLE: "Vorlagen-App" } });

    const deal = await portalRest<{ ID: string; TITLE: string; STAGE_ID: string; CONTACT_ID: string; OPPORTUNITY: string; CURRENCY_ID: string }>(emulator, portal, "crm.deal.get", { id: 3 });
    const stages = await portalRest<Array<{ STATUS_ID: string; NAME: string }>>(emulator, portal, "crm.status.list", { filter: { ENTITY_ID: "DEAL_STAGE" } });
    const contact = await portalRest<{ NAME: string; LAST_NAME: string }>(emulator, portal, "crm.contact.get", { id: deal.CONTACT_ID });
    const stageName = stages.find((s) => s.STATUS_ID === deal.STAGE_ID)!.NAME;
    expect(stageName).not.toBe(deal.STAGE_ID);

    const proxied: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${e2e.appUrl}/api/b24/`)) proxied.push(new URL(r.url()).pathname);
    });
    const card = new DealCardPage(page);
    await card.open(portal.url, deal.ID);
    await card.tabButton(TAB).click();
    await expect(card.field("title")).toHaveText(deal.TITLE);
    await expect(card.field("stage")).toHaveText(stageName);
    await expect(card.field("contact")).toHaveText(`${contact.NAME} ${contact.LAST_NAME}`);
    await expect(card.field("amount")).toHaveText(new Intl.NumberFormat("en", { style: "currency", currency: deal.CURRENCY_ID }).format(Number(deal.OPPORTUNITY)));
    expect(proxied).toEqual(expect.arrayContaining(["/api/b24/placement", "/api/b24/crm.deal.get", "/api/b24/crm.status.list", "/api/b24/crm.contact.get"]));

    const comment = `Called the client ${Date.now()}`;
    await card.addComment(comment);
    expect(await emulator.timeline(portal.memberId, "deal", Number(deal.ID))).toEqual([expect.objectContaining({ COMMENT: comment, AUTHOR_ID: "1", ENTITY_TYPE: "deal" })]);
    await expect(card.reloads()).toHaveText("1");

    await expectFrameFitsContent(card.iframe());
    const resizes = (await emulator.bridgeLog(portal.memberId)).filter((m) => m.kind === "placement" && m.command === "resizeWindow");
    expect(resizes.length).toBeGreaterThan(0);
    expect(resizes.every((m) => m.answered)).toBe(true);
  });

  test("forged PLACEMENT_OPTIONS: a forbidden deal or another portal's id shows Bitrix24's error and no data", async ({ page, emulator }) => {
    const { portal, app } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    await emulator.setDealAccess(portal.memberId, 5, { private: true, assignedById: 1 });
    const open = (options: unknown, user = 2) =>
      page.goto(`${portal.url}/marketplace/app/?user=${user}&placement=CRM_DEAL_DETAIL_TAB&placement_options=${encodeURIComponent(JSON.stringify(options))}`);

    const refused = app.frame.getByRole("alert").filter({ hasText: "cannot be shown" });
    await open({ ID: "5" });
    await expect(refused).toContainText("Deal #5 cannot be shown");
    await expect(refused).toContainText("Access denied");
    await expect(app.frame.getByTestId("deal-title")).toHaveCount(0);

    // Deal ids are per portal: an id from elsewhere names nothing here.
    await open({ ID: "987654" });
    await expect(refused).toContainText("Deal #987654 cannot be shown");
    await expect(app.frame.getByTestId("deal-title")).toHaveCount(0);

    await open({ ID: "5 OR 1=1" });
    await expect(app.frame.getByText("options this app does not accept")).toBeVisible();

    // The handler URL itself trusts nothing posted: a made-up AUTH_ID gets 401 and no session.
    const forged = await page.request.post(`/api/b24/placement?DOMAIN=${portal.host}&PROTOCOL=0`, {
      form: { AUTH_ID: "forged-token-value-123", member_id: portal.memberId, PLACEMENT: "CRM_DEAL_DETAIL_TAB", PLACEMENT_OPTIONS: '{"ID":"1"}' },
      headers: { origin: portal.url },
    });
    expect(forged.status()).toBe(401);
    expect(forged.headers()["set-cookie"]).toBeUndefined();

    // The way out: the responsible user may read it, so the same tab shows it to them.
    await open({ ID: "5" }, 1);
    await expect(app.frame.getByTestId("deal-title")).toBeVisible();
  });

  test("settings open in the portal's slider and save app and user options that the portal then holds", async ({ page, emulator }) => {
    const { portal, app } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    await app.frame.getByRole("button", { name: "Settings" }).click();
    const slider = new SliderPage(page);
    await expect(slider.dialog("Settings")).toBeVisible();
    await expect(slider.frame.getByRole("heading", { level: 1 })).toHaveText("Settings");

    await slider.frame.getByLabel("Greeting shown to your team").fill("Hello, sales team");
    await slider.frame.getByRole("button", { name: "Save" }).first().click();
    await expect(slider.frame.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await slider.frame.getByLabel("Your signature").fill("Ivan, sales");
    await slider.frame.getByRole("button", { name: "Save" }).last().click();
    await expect(slider.frame.getByRole("status").filter({ hasText: "Saved." })).toHaveCount(2);
    await expect.poll(async () => (await emulator.portal(portal.memberId)).appOptions.greeting).toBe("Hello, sales team");
    expect((await emulator.portal(portal.memberId)).userOptions["1"]).toMatchObject({ signature: "Ivan, sales" });

    await slider.frame.getByRole("button", { name: "Close" }).click();
    await expect(slider.dialog("Settings")).toHaveCount(0);
    const closes = (await emulator.bridgeLog(portal.memberId)).filter((m) => m.command === "closeApplication" || m.command === "openApplication");
    expect(closes.map((m) => [m.kind, m.command, m.answered])).toEqual([["app", "openApplication", true], ["slider", "closeApplication", true]]);

    // A user who is not an administrator sees the portal-wide setting but cannot change it.
    await app.open(portal.url, 2);
    await app.frame.getByRole("button", { name: "Settings" }).click();
    await expect(slider.frame.getByLabel("Greeting shown to your team")).toHaveValue("Hello, sales team");
    await expect(slider.frame.getByLabel("Greeting shown to your team")).toBeDisabled();
  });

  test("at 1280 px the dashboard, deals and contacts fit the frame: no scroll bars inside it", async ({ page, emulator }) => {
    const { portal, app } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    const iframe = page.locator("#app-frame");
    await expectFrameFitsContent(iframe);
    const stageNames = (await portalRest<Array<{ NAME: string }>>(emulator, portal, "crm.status.list", { filter: { ENTITY_ID: "DEAL_STAGE" } })).map((s) => s.NAME);
    for (const name of ["Deals", "Contacts"]) {
      await app.frame.getByRole("link", { name, exact: true }).click();
      await expect(app.frame.getByRole("heading", { level: 1 })).toHaveText(name);
      await expect(app.frame.getByRole("table")).toBeVisible();
      await expectFrameFitsContent(iframe);
      if (name !== "Deals") continue;
      // The stage column speaks the portal's names (crm.status.list), never the raw STAGE_ID.
      await expect(app.frame.getByRole("cell", { name: "Document preparation" }).or(app.frame.getByRole("cell", { name: "New", exact: true })).first()).toBeVisible();
      const stages = await app.frame.locator("tbody tr td:nth-child(4)").allInnerTexts();
      expect(stages.length).toBeGreaterThan(0);
      for (const stage of stages) expect(stageNames).toContain(stage);
    }
    const log = await emulator.bridgeLog(portal.memberId);
    expect(log.filter((m) => m.kind === "app" && m.command === "resizeWindow" && m.answered).length).toBeGreaterThanOrEqual(3);
    expect(log.some((m) => m.command === "getInitData" || m.command === "refreshAuth")).toBe(false);
  });
});
