import { e2e, expect, test } from "../fixtures";
import type { EmulatorApi } from "../emulator-api";
import { ContactsPage } from "../pages/contacts";
import { DealsPage } from "../pages/deals";
import { DoctorPage } from "../pages/doctor";

/**
 * The README's "Build your app on it" recipes, proven in Chromium: a page on another entity (Contacts: its page
 * file plus its manifest lines) and a business event handler (ONCRMDEALADD: its file plus one manifest line).
 */
const EVENTS_URL = `${e2e.appUrl}/api/b24/events`;
/** Work the app does after answering a delivery (binding, handlers) waits for Bitrix24 and the portal's bucket. */
const AFTER_WORK_MS = 20_000;

async function installedPortal(emulator: EmulatorApi) {
  const portal = await emulator.addPortal({ installed: false });
  await emulator.install(portal.memberId, { noUi: true });
  await expect.poll(async () => (await emulator.portal(portal.memberId)).bindings.filter((b) => b.handler === EVENTS_URL).map((b) => b.event).sort(), { timeout: AFTER_WORK_MS })
    .toEqual(["ONAPPPAYMENT", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONCRMDEALADD", "ONOFFLINEEVENT"]);
  return portal;
}

test("the Contacts page lists, paginates and adds contacts through the proxy", async ({ page, signIn, emulator }) => {
  await signIn();
  const contacts = new ContactsPage(page);
  await contacts.open();
  await expect(contacts.range()).toHaveText(/^1–50 of \d+$/);
  await expect(contacts.rows()).toHaveCount(50);
  const total = Number((await contacts.range().textContent())!.split(" of ")[1]);
  expect(total).toBeGreaterThanOrEqual(75);
  await expect(contacts.rows().first()).toContainText("@example.test");

  await page.getByRole("button", { name: "Next" }).click();
  await expect(contacts.range()).toHaveText(`51–${Math.min(100, total)} of ${total}`);
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(contacts.range()).toHaveText(`1–50 of ${total}`);

  const since = await emulator.lastSeq();
  await contacts.add("Grace", "Hopper", "grace@example.test");
  await expect(page.getByRole("status")).toHaveText(/^Contact #\d+ added\.$/);
  await expect(contacts.range()).toHaveText(`1–50 of ${total + 1}`);
  await expect(contacts.rows().first()).toContainText("Grace Hopper");
  await expect(contacts.rows().first()).toContainText("grace@example.test");
  const add = (await emulator.log(since)).find((r) => r.path === "/rest/crm.contact.add");
  expect(add?.host).toBe(e2e.portalHost);
  expect(JSON.parse(add!.body).fields).toEqual({ NAME: "Grace", LAST_NAME: "Hopper", EMAIL: [{ VALUE: "grace@example.test", VALUE_TYPE: "WORK" }] });
});

test("crm.deal.add fires ONCRMDEALADD and the app's handler records it on the dashboard; a forged delivery never reaches the handler", async ({ page, emulator, signInTo, request }) => {
  const portal = await installedPortal(emulator);
  await signInTo(portal.host);
  await expect(page.getByText("none yet: create a deal")).toBeVisible();

  const deals = new DealsPage(page);
  await deals.open();
  await deals.create("Handler deal", "10");
  await expect(page.getByRole("status")).toHaveText(/^Deal #\d+ created\.$/);
  const id = /#(\d+)/.exec((await page.getByRole("status").textContent())!)![1]!;
  // Bitrix24 delivers after answering crm.deal.add, so the delivery is awaited, not assumed.
  await expect
    .poll(async () => (await emulator.deliveries()).filter((d) => d.event === "ONCRMDEALADD" && d.body.includes(portal.memberId)).map((d) => d.status))
    .toEqual([200]);

  // The handler runs after the app answered the delivery: wait for what it stores on the portal, then look.
  await expect.poll(async () => (await emulator.portal(portal.memberId)).appOptions.last_deal_added, { timeout: AFTER_WORK_MS }).toContain(`"id":"${id}"`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByText(`#${id} Handler deal`)).toBeVisible();

  // The same event with a wrong application_token: 403, and the handler never asks Bitrix24 for the deal.
  const since = await emulator.lastSeq();
  const token = (await emulator.portal(portal.memberId)).applicationToken;
  const forged = await request.post("/api/b24/events", {
    form: { event: "ONCRMDEALADD", "data[FIELDS][ID]": "1", ts: "1762089975", "auth[member_id]": portal.memberId, "auth[application_token]": token.slice(0, -1) + (token.endsWith("0") ? "1" : "0") },
  });
  expect(forged.status()).toBe(403);
  const genuine = await request.post("/api/b24/events", {
    form: { event: "ONCRMDEALADD", "data[FIELDS][ID]": "1", ts: "1762089975", "auth[member_id]": portal.memberId, "auth[application_token]": token },
  });
  expect(genuine.status()).toBe(200);
  // The genuine delivery's handler reads deal 1 and records it (app.option.set); by then a forged delivery that had
  // reached a handler would have read the deal too. Exactly one read: the forged one reached nothing.
  await expect.poll(async () => (await emulator.log(since)).filter((r) => r.host === portal.host && r.path === "/rest/app.option.set").length, { timeout: AFTER_WORK_MS }).toBe(1);
  expect((await emulator.log(since)).filter((r) => r.host === portal.host && r.path === "/rest/crm.deal.get")).toHaveLength(1);
});

test("the doctor flags an event the manifest lists but the portal has not bound", async ({ page, emulator, signInTo }) => {
  const portal = await installedPortal(emulator);
  await signInTo(portal.host);
  const admin = (await emulator.tokens()).filter((t) => t.memberId === portal.memberId && t.userId === 1).at(-1)!;
  const unbind = await fetch(`${portal.url}/rest/event.unbind`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: admin.access, event: "ONCRMDEALADD", handler: EVENTS_URL }),
  });
  expect(unbind.status).toBe(200);
  await page.goto("/doctor");
  const doctor = new DoctorPage(page);
  await expect(doctor.value(/^Events$/, "Missing")).toHaveText("ONCRMDEALADD");
  await expect(doctor.problems().filter({ hasText: "Events not bound to this app: ONCRMDEALADD" })).toHaveCount(1);
});
