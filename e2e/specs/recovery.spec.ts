import type { Page } from "@playwright/test";
import type { DbProbe } from "../db-probe";
import { e2e, expect, test } from "../fixtures";
import type { EmulatorApi } from "../emulator-api";
import { DealsPage } from "../pages/deals";
import { DoctorPage } from "../pages/doctor";
import { installedInFrame } from "../portal-setup";
import { callProxy } from "../proxy-caller";

/**
 * Every bad state has a way back (lib/bitrix24/lifecycle/states.ts, README "States and the way back"). Each test drives a
 * portal into one bad state the way Bitrix24 would, then walks the documented way out and checks what a person and
 * Bitrix24 observe: the proxy answers 200 again and its request reaches the portal with the new pair, the doctor
 * is green, events are bound. Fresh emulated portals keep the other specs' portals untouched.
 */
const MARIA = { label: "Maria Ivanova", name: "Maria Ivanova" };
const EVENTS_URL = `${e2e.appUrl}/api/b24/events`;
/** Work the app does after answering a delivery (binding, the payment re-check) waits for Bitrix24 and the bucket. */
const AFTER_WORK_MS = 20_000;

async function memberOf(emulator: EmulatorApi, host: string): Promise<string> {
  return (await emulator.health()).portals.find((p) => p.host === host)!.memberId;
}

/** A portal with the app installed the way an app without UI is: ONAPPINSTALL, then the app binds its events (five online). */
async function installedPortal(emulator: EmulatorApi) {
  const portal = await emulator.addPortal({ installed: false });
  await emulator.install(portal.memberId, { noUi: true });
  await expect.poll(async () => (await emulator.portal(portal.memberId)).bindings.filter((b) => b.handler === EVENTS_URL).length, { timeout: AFTER_WORK_MS }).toBe(5);
  return portal;
}

/** The portal requests made since `seq`, with the access token each one carried. */
async function portalCalls(emulator: EmulatorApi, since: number, host: string) {
  return (await emulator.log(since))
    .filter((r) => r.server === "portal" && r.host === host)
    .map((r) => ({ path: r.path, status: r.status, auth: (() => { try { return JSON.parse(r.body).auth as string | undefined; } catch { return undefined; } })() }));
}

test("a revoked user token: the deals page offers Sign in again, which brings the deals back with a new pair", async ({ page, signIn, emulator, db }) => {
  await signIn();
  const member = await memberOf(emulator, e2e.portalHost);
  const deals = new DealsPage(page);
  await deals.open();
  await expect(deals.rows()).toHaveCount(50);

  const dead = await db.pair(member, 1);
  await emulator.revokeRefreshTokens({ refresh: dead!.refreshToken });
  await emulator.expireTokens();
  await page.reload();
  const alert = page.getByRole("alert").filter({ hasText: "Deals could not be loaded" });
  await expect(alert).toContainText("Sign in again");
  expect((await db.pair(member, 1))!.status).toBe("needs_reauth");

  // Still signed in to the portal, so Bitrix24 answers the authorize request at once, without a form.
  await alert.getByRole("button", { name: "Sign in again" }).click();
  await expect(page).toHaveURL(/\/deals$/);
  await expect(deals.rows()).toHaveCount(50);

  const fresh = await db.pair(member, 1);
  expect(fresh).toMatchObject({ status: "active", version: dead!.version + 1 });
  const since = await emulator.lastSeq();
  await page.reload();
  await expect(deals.rows()).toHaveCount(50);
  const calls = await portalCalls(emulator, since, e2e.portalHost);
  expect(calls).toContainEqual({ path: "/rest/crm.deal.list", status: 200, auth: fresh!.accessToken });
});

test("inside the portal's frame the way back is Open the app again: the portal reloads with fresh tokens", async ({ page, emulator, db }) => {
  const { portal, app } = await installedInFrame(page, emulator);
  await app.open(portal.url, 2);
  await app.expectDashboard("Maria Ivanova", portal.host);

  const dead = await db.pair(portal.memberId, 2);
  await emulator.revokeRefreshTokens({ refresh: dead!.refreshToken });
  await emulator.expireTokens();
  await app.frame.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  const alert = app.frame.getByRole("alert").filter({ hasText: "Deals could not be loaded" });
  await alert.getByRole("button", { name: "Open the app again" }).click();

  await app.expectDashboard("Maria Ivanova", portal.host);
  await expect.poll(async () => (await db.pair(portal.memberId, 2))?.status).toBe("active");
  await app.frame.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  await expect(app.frame.getByRole("heading", { level: 1 })).toHaveText("Deals");
  // A new portal has no deals: the list answered, empty, instead of the error.
  await expect(app.frame.getByText("No deals yet. Create the first one.")).toBeVisible();
  await expect(app.frame.getByText("Deals could not be loaded")).toHaveCount(0);
  expect((await db.pair(portal.memberId, 2))!.refreshToken).not.toBe(dead!.refreshToken);
});

/** Bitrix24 refuses the installer's refresh token; the doctor's next question with that pair finds it dead. */
async function killInstallerPair(emulator: EmulatorApi, db: DbProbe, page: Page, memberId: string) {
  const installer = await db.pair(memberId, 1, "portal");
  await emulator.revokeRefreshTokens({ refresh: installer!.refreshToken });
  await emulator.expireTokens();
  await page.goto(`${e2e.appUrl}/doctor`);
  await expect.poll(async () => (await db.pair(memberId, 1, "portal"))?.status).toBe("needs_reauth");
  return installer!;
}

test("a dead installer pair: a non-admin's open does not heal it, an administrator's open does, and background calls work again", async ({ page, emulator, db }) => {
  const { portal, app } = await installedInFrame(page, emulator);
  // The doctor asks Bitrix24 with the installer's pair: the refresh is refused and the pair is dead.
  const installer = await killInstallerPair(emulator, db, page, portal.memberId);
  const doctor = new DoctorPage(page);
  await expect(doctor.problems().filter({ hasText: "no longer accepts the installer's connection" })).toContainText("Open the app from Bitrix24 as an administrator");
  expect((await db.pair(portal.memberId, 1, "portal"))!.status).toBe("needs_reauth");
  expect((await db.portal(portal.memberId))!.status).toBe("active");

  await app.open(portal.url, 2);
  await app.expectDashboard("Maria Ivanova", portal.host);
  expect((await db.pair(portal.memberId, 1, "portal"))!.status).toBe("needs_reauth");

  await app.open(portal.url, 1);
  await app.expectDashboard("Ivan Petrov", portal.host);
  const healed = await db.pair(portal.memberId, 1, "portal");
  expect(healed).toMatchObject({ status: "active", version: installer.version + 1 });

  const since = await emulator.lastSeq();
  await app.doctorLink().click();
  const framed = new DoctorPage(app.frame);
  await framed.expectOpen();
  await expect(app.frame.getByRole("region", { name: /^Bitrix24's view/ })).toContainText("asked with the installer's connection");
  await expect(framed.value(/^Bitrix24's view/, "Installed")).toHaveText("yes");
  await expect(app.frame.getByRole("region", { name: /^Token health$/ })).toContainText(/Installer's connection \(used for background work\)\s*active;/);
  const calls = await portalCalls(emulator, since, portal.host);
  expect(calls).toContainEqual({ path: "/rest/batch", status: 200, auth: healed!.accessToken });
});

test("a dead installer pair: a reinstall in the frame binds the events and finishes the install", async ({ page, emulator, db }) => {
  const { portal, app } = await installedInFrame(page, emulator);
  await killInstallerPair(emulator, db, page, portal.memberId);

  const { applicationToken } = await emulator.install(portal.memberId);
  const since = await emulator.lastSeq();
  await app.open(portal.url);
  await app.expectInstallFinished();
  await app.expectDashboard("Ivan Petrov", portal.host);
  const binds = (await portalCalls(emulator, since, portal.host)).filter((c) => c.path === "/rest/event.bind");
  // The lifecycle events, the manifest's ONCRMDEALADD and ONOFFLINEEVENT online, its ONCRMDEALUPDATE offline.
  expect(binds.length).toBe(6);
  // "Handler already binded" (400) counts as bound; nothing else may fail.
  for (const b of binds) expect([200, 400]).toContain(b.status);
  expect((await db.pair(portal.memberId, 1, "portal"))!.status).toBe("active");
  expect(await emulator.portal(portal.memberId)).toMatchObject({ installFinished: true, applicationToken });
});

test("PAYMENT_REQUIRED blocks the portal; the payment's ONAPPPAYMENT re-check, or a verified reinstall, makes it active [#41]", async ({ emulator, db, signInTo }) => {
  const portal = await installedPortal(emulator);
  const cookie = await signInTo(portal.host);
  expect((await callProxy(cookie, "user.current")).status).toBe(200);

  await emulator.setPortalState(portal.memberId, { paymentRequired: true });
  expect((await callProxy(cookie, "user.current")).body.error).toBe("payment_required");
  expect(await db.portal(portal.memberId)).toMatchObject({ status: "blocked", statusReason: "PAYMENT_REQUIRED" });
  let since = await emulator.lastSeq();
  expect((await callProxy(cookie, "user.current")).body.error).toBe("portal_blocked");
  expect(await emulator.log(since)).toHaveLength(0);

  const { deliveries } = await emulator.setPortalState(portal.memberId, { paymentRequired: false });
  expect(deliveries.map((d) => [d.event, d.status])).toEqual([["ONAPPPAYMENT", 200]]);
  await expect.poll(async () => (await db.portal(portal.memberId))?.status, { timeout: AFTER_WORK_MS }).toBe("active");
  since = await emulator.lastSeq();
  expect((await callProxy(cookie, "user.current")).status).toBe(200);
  expect((await portalCalls(emulator, since, portal.host)).map((c) => [c.path, c.status])).toEqual([["/rest/user.current", 200]]);

  // PORTAL_DELETED has no event that lifts it; a verified reinstall does.
  await emulator.setPortalState(portal.memberId, { deleted: true });
  expect((await callProxy(cookie, "user.current")).body.error).toBe("portal_blocked");
  await emulator.setPortalState(portal.memberId, { deleted: false });
  expect((await callProxy(cookie, "user.current")).body.error).toBe("portal_blocked");
  await emulator.install(portal.memberId, { noUi: true });
  expect(await db.portal(portal.memberId)).toMatchObject({ status: "active", statusReason: null });
  expect((await callProxy(cookie, "user.current")).status).toBe(200);
});

test("uninstall → reinstall: active again with a new application_token; the old one is refused [#29]", async ({ emulator, db, signInTo, request }) => {
  const portal = await installedPortal(emulator);
  const oldToken = (await emulator.portal(portal.memberId)).applicationToken;
  const cookie = await signInTo(portal.host, MARIA);
  await emulator.uninstall(portal.memberId, { clean: false });
  expect((await callProxy(cookie, "user.current")).status).toBe(410);

  await emulator.install(portal.memberId, { noUi: true });
  const newToken = (await emulator.portal(portal.memberId)).applicationToken;
  expect(newToken).not.toBe(oldToken);
  expect(await db.portal(portal.memberId)).toMatchObject({ status: "active", installedBy: 1 });
  const event = (token: string) =>
    request.post("/api/b24/events", { form: { event: "ONAPPTEST", "auth[member_id]": portal.memberId, "auth[application_token]": token } });
  expect((await event(oldToken)).status()).toBe(403);
  expect((await event(newToken)).status()).toBe(200);

  // The uninstall took every pair; Maria signs in again and her calls reach the portal.
  expect((await callProxy(cookie, "user.current")).body.error).toBe("needs_reauth");
  const fresh = await signInTo(portal.host, MARIA);
  const res = await callProxy(fresh, "user.current");
  expect(res.status).toBe(200);
  expect(res.body.result).toMatchObject({ ID: "2" });
});

test("the doctor tells a direct sign-in without an install apart from a broken install, and turns green after the install", async ({ page, emulator, signInTo }) => {
  const portal = await emulator.addPortal({});
  await signInTo(portal.host);
  await page.goto("/doctor");
  const doctor = new DoctorPage(page);
  await doctor.expectOpen();
  await expect(doctor.value(/^This app's record$/, "Set up by")).toHaveText("a direct sign-in only (not installed from Bitrix24)");
  await expect(doctor.problems()).toHaveCount(1);
  await expect(doctor.problems()).toContainText("You signed in directly");

  await emulator.install(portal.memberId, { noUi: true });
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByRole("heading", { name: /problem|No problems/ }).textContent();
    })
    .toBe("No problems found");
  await expect(doctor.value(/^This app's record$/, "Set up by")).toHaveText("an installation from Bitrix24");
  await expect(doctor.value(/^Events$/, "Missing")).toHaveText("none");
});
