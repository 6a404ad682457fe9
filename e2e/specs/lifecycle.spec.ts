import type { Page } from "@playwright/test";
import { ADMIN_NAME, e2e, expect, test } from "../fixtures";
import type { EmulatorApi } from "../emulator-api";
import type { DbProbe } from "../db-probe";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * The Marketplace lifecycle end to end (issue item 6): the emulator installs the app without UI (ONAPPINSTALL to
 * /api/b24/events), a user signs in, the portal uninstalls the app (tokens revoked, ONAPPUNINSTALL with CLEAN),
 * and a verified reinstall plus a new sign-in bring everything back. Runs on the emulator's second portal so the
 * other specs keep their portal; that portal is reinstalled afterwards whatever happens.
 */
async function secondPortal(emulator: EmulatorApi) {
  const portals = (await emulator.health()).portals;
  return portals.find((p) => p.host !== e2e.portalHost)!;
}

async function signInTo(page: Page, host: string): Promise<string> {
  await page.context().clearCookies();
  await page.goto("/");
  await page.getByLabel("Your Bitrix24 address").fill(host);
  await page.getByRole("button", { name: "Connect your Bitrix24" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${ADMIN_NAME}`);
  await expect(page.getByText(`Connected to ${host}`)).toBeVisible();
  return sessionCookie(page.context());
}

/** The app's last step after answering an install: the portal's last event is recorded once binding is done. */
async function afterInstallWork(db: DbProbe, memberId: string, since: number): Promise<void> {
  await expect.poll(async () => { const e = await db.lastEvent(memberId); return e.name === "ONAPPINSTALL" && (e.at ?? 0) >= since; }, { timeout: 20_000 }).toBe(true);
}

async function installWithoutUi(emulator: EmulatorApi, memberId: string, db: DbProbe): Promise<void> {
  const started = Date.now();
  const { delivery } = await emulator.install(memberId, { noUi: true });
  expect(delivery?.event).toBe("ONAPPINSTALL");
  expect(delivery?.status).toBe(200);
  // The app binds ONAPPUNINSTALL after answering (next/server `after`), so wait for the binding to appear.
  await expect
    .poll(async () => (await emulator.portal(memberId)).bindings.filter((b) => b.handler === `${e2e.appUrl}/api/b24/events`).map((b) => b.event).sort(), { timeout: 20_000 })
    .toEqual(["ONAPPPAYMENT", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONCRMDEALADD", "ONOFFLINEEVENT"]);
  await afterInstallWork(db, memberId, started);
}

test.describe("Marketplace lifecycle", () => {
  test.afterAll(async ({ emulator }) => {
    const other = await secondPortal(emulator);
    if (!(await emulator.portal(other.memberId)).installed) await emulator.install(other.memberId, { noUi: true });
  });

  test("no-UI install → sign in → uninstall (clean) → 410 without traffic → reinstall and sign in → works", async ({ page, emulator, db }) => {
    const other = await secondPortal(emulator);

    await installWithoutUi(emulator, other.memberId, db);
    expect(await db.portal(other.memberId)).toMatchObject({ status: "active" });
    expect(await db.pair(other.memberId, 1, "portal")).not.toBeNull();

    const cookie = await signInTo(page, other.host);
    expect((await callProxy(cookie, "user.current")).status).toBe(200);
    expect(await db.pair(other.memberId, 1, "user")).not.toBeNull();

    const { deliveries } = await emulator.uninstall(other.memberId, { clean: true });
    expect(deliveries.map((d) => [d.event, d.status])).toEqual([["ONAPPUNINSTALL", 200]]);
    expect(await db.portal(other.memberId)).toMatchObject({ status: "uninstalled", tokenPairs: 0 });
    // CLEAN's purge runs after the answer.
    await expect.poll(async () => (await db.portal(other.memberId))?.users).toBe(0);
    const live = (await emulator.tokens()).filter((t) => t.memberId === other.memberId);
    expect(live).toHaveLength(0);

    const since = await emulator.lastSeq();
    for (const method of ["user.current", "crm.deal.list"]) {
      const res = await callProxy(cookie, method);
      expect(res.status).toBe(410);
      expect(res.body.error).toBe("portal_uninstalled");
    }
    expect(await emulator.log(since)).toHaveLength(0);

    await installWithoutUi(emulator, other.memberId, db);
    expect(await db.portal(other.memberId)).toMatchObject({ status: "active", tokenPairs: 1 });
    // The admin's own pair went with the uninstall; the reinstall was theirs, so their session acts with the
    // installer's pair again (lib/bitrix24/index.ts actingOwner). A fresh sign-in stores their own pair.
    expect((await callProxy(cookie, "user.current")).status).toBe(200);
    const fresh = await signInTo(page, other.host);
    const res = await callProxy(fresh, "user.current");
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ ID: "1" });
  });

  test("the events route refuses a forged uninstall for the installed portal", async ({ emulator, db, request }) => {
    const other = await secondPortal(emulator);
    await installWithoutUi(emulator, other.memberId, db);
    const token = (await emulator.portal(other.memberId)).applicationToken;
    const forged = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    const before = await db.portal(other.memberId);
    expect(before).toMatchObject({ status: "active" });
    const res = await request.post("/api/b24/events", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      data: `event=ONAPPUNINSTALL&data%5BCLEAN%5D=1&auth%5Bmember_id%5D=${other.memberId}&auth%5Bapplication_token%5D=${forged}`,
    });
    expect(res.status()).toBe(403);
    expect(await db.portal(other.memberId)).toEqual(before);
  });

  test("the same ONAPPINSTALL delivered twice at once: both 2xx within 1 s, one portal row, one portal pair [#28]", async ({ emulator, db, request }) => {
    const other = await secondPortal(emulator);
    await installWithoutUi(emulator, other.memberId, db);
    const body = (await emulator.deliveries()).filter((d) => d.event === "ONAPPINSTALL" && d.body.includes(other.memberId)).at(-1)!.body;
    const portalsBefore = (await db.counts()).portals;
    const send = async () => {
      const started = Date.now();
      const res = await request.post("/api/b24/events", { headers: { "content-type": "application/x-www-form-urlencoded" }, data: body });
      return { status: res.status(), ms: Date.now() - started };
    };
    const sent = Date.now();
    for (const r of await Promise.all([send(), send()])) {
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(1000);
    }
    // Let the work the app does after answering (binding, recording) finish inside this test.
    await afterInstallWork(db, other.memberId, sent);
    const posted = new URLSearchParams(body);
    const pair = await db.pair(other.memberId, 1, "portal");
    expect(pair).toMatchObject({ accessToken: posted.get("auth[access_token]"), refreshToken: posted.get("auth[refresh_token]") });
    expect((await db.counts()).portals).toBe(portalsBefore);
  });
});
