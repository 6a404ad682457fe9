import type { APIRequestContext, Page } from "@playwright/test";
import { e2e, expect, test } from "../fixtures";
import type { EmulatorApi } from "../emulator-api";
import { DoctorPage } from "../pages/doctor";

/**
 * Licences (lib/bitrix24/licence.ts, README "Licences and the paywall"): the paid-only Reports page opens on a usable
 * licence and shows the paywall on an ended one; the way out is Bitrix24 making the app paid, whose ONAPPPAYMENT
 * makes the app ask app.info again. The delivery's body is never believed: only app.info's answer counts.
 */
const EVENTS_URL = `${e2e.appUrl}/api/b24/events`;
/** Work the app does after answering a delivery (binding, the licence re-read) waits for Bitrix24 and the bucket. */
const AFTER_WORK_MS = 20_000;

/** A fresh portal with the app installed the no-UI way under `licence`, its events bound. */
async function portalWithLicence(emulator: EmulatorApi, licence: Parameters<EmulatorApi["setLicence"]>[1]) {
  const portal = await emulator.addPortal({ installed: false });
  await emulator.setLicence(portal.memberId, licence);
  await emulator.install(portal.memberId, { noUi: true });
  await expect.poll(async () => (await emulator.portal(portal.memberId)).bindings.filter((b) => b.handler === EVENTS_URL).length, { timeout: AFTER_WORK_MS }).toBe(5);
  return portal;
}

/** The app.info requests the app sent to `host` since `seq`, with Bitrix24's answer status. */
async function appInfoCalls(emulator: EmulatorApi, since: number, host: string) {
  return (await emulator.log(since)).filter((r) => r.server === "portal" && r.host === host && r.path === "/rest/app.info").map((r) => r.status);
}

/** A forged ONAPPPAYMENT: what anyone can POST, claiming the app is paid for a year. */
function forgedPayment(request: APIRequestContext, memberId: string, host: string) {
  return request.post("/api/b24/events", {
    form: {
      event: "ONAPPPAYMENT", "data[CODE]": "x", "data[VERSION]": "1", "data[STATUS]": "P", "data[PAYMENT_EXPIRED]": "N", "data[DAYS]": "365", "data[LANGUAGE_ID]": "en",
      "auth[domain]": host, "auth[member_id]": memberId,
    },
  });
}

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const licenceRow = (page: Page, label: string) => new DoctorPage(page).value(/^Licence/, label);

test("an ended trial shows the paywall; Bitrix24 makes the app paid, its ONAPPPAYMENT alone opens the page; the doctor shows the licence", async ({ page, emulator, db, signInTo }) => {
  const portal = await portalWithLicence(emulator, { status: "T", daysLeft: 3 });
  await signInTo(portal.host);
  // The trial ends: Bitrix24 blocks the app at once.
  expect(await emulator.setLicence(portal.memberId, { status: "T", daysLeft: -1 })).toMatchObject({ blocked: true });

  let since = await emulator.lastSeq();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page).toHaveURL(/\/paywall$/);
  await expect(heading(page)).toHaveText("This feature needs a licence");
  await expect(page.getByText("The app's trial on this portal has ended.")).toBeVisible();
  await expect(licenceRow(page, "State")).toHaveText("expired (STATUS T)");
  // The app asked Bitrix24 (app.info with the installer's pair), which refused: payment required.
  expect(await appInfoCalls(emulator, since, portal.host)).toContain(401);
  expect(await db.portal(portal.memberId)).toMatchObject({ status: "blocked", statusReason: "PAYMENT_REQUIRED" });

  // The way out: the administrator pays; Bitrix24 sends ONAPPPAYMENT (no tokens), the app re-reads app.info.
  since = await emulator.lastSeq();
  const { deliveries } = await emulator.setLicence(portal.memberId, { status: "P", daysLeft: 30 });
  expect(deliveries.map((d) => [d.event, d.status])).toEqual([["ONAPPPAYMENT", 200]]);
  await expect.poll(async () => appInfoCalls(emulator, since, portal.host), { timeout: AFTER_WORK_MS }).toContain(200);
  await expect.poll(async () => (await db.portal(portal.memberId))?.status, { timeout: AFTER_WORK_MS }).toBe("active");
  await page.goto("/reports");
  await expect(heading(page)).toHaveText("Reports");
  await expect(page.getByText("the licence on")).toContainText("is paid");

  await page.goto("/doctor");
  await expect(licenceRow(page, "State")).toHaveText("paid (STATUS P)");
  await expect(licenceRow(page, "Days left")).toHaveText("30");
  await expect(licenceRow(page, "Checked at")).not.toHaveText("never");
});

test("a forged ONAPPPAYMENT changes nothing: the app asks app.info, Bitrix24's answer stands; one for an unknown portal sends nothing", async ({ page, emulator, db, signInTo, request }) => {
  const portal = await portalWithLicence(emulator, { status: "T", daysLeft: 3 });
  await signInTo(portal.host);
  await emulator.setLicence(portal.memberId, { status: "T", daysLeft: -1 });
  await page.goto("/reports");
  await expect(page).toHaveURL(/\/paywall$/);

  const since = await emulator.lastSeq();
  expect((await forgedPayment(request, "0".repeat(32), portal.host)).status()).toBe(200);
  expect((await forgedPayment(request, portal.memberId, portal.host)).status()).toBe(200);
  await expect.poll(async () => appInfoCalls(emulator, since, portal.host), { timeout: AFTER_WORK_MS }).toEqual([401]);
  // Nothing else reached Bitrix24: the unknown member_id cost no request anywhere.
  const calls = (await emulator.log(since)).filter((r) => r.server === "portal");
  expect(calls.map((r) => [r.host, r.path])).toEqual([[portal.host, "/rest/app.info"]]);
  expect(await db.portal(portal.memberId)).toMatchObject({ status: "blocked", statusReason: "PAYMENT_REQUIRED" });
  await page.goto("/reports");
  await expect(page).toHaveURL(/\/paywall$/);
  await expect(licenceRow(page, "State")).toHaveText("expired (STATUS T)");
});

test("a paid app inside its 14-day grace still opens the paid-only page, marked as ending; the licence page links to the app's Market card", async ({ page, emulator, signInTo }) => {
  const portal = await portalWithLicence(emulator, { status: "P", daysLeft: -5 });
  await signInTo(portal.host);
  const since = await emulator.lastSeq();
  await page.goto("/reports");
  await expect(heading(page)).toHaveText("Reports");
  await expect(page.getByText("The licence ends soon")).toContainText("(in its grace period)");
  expect(await appInfoCalls(emulator, since, portal.host)).toEqual([200]);
  await page.goto("/paywall");
  await expect(page.getByText("The app's licence on this portal is active: every feature is open.")).toBeVisible();
  await expect(licenceRow(page, "Days left")).toHaveText("-5 (ended 5 days ago)");
  // The portal's Market card of the app: https://<portal>/market/detail/<CODE from app.info>/.
  await expect(page.getByRole("link", { name: "the app's page in your portal's Market" })).toHaveAttribute("href", `https://${portal.host}/market/detail/${e2e.clientId}/`);
});
