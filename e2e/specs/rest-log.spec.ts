import { readFile } from "node:fs/promises";
import { e2e, expect, test } from "../fixtures";
import { DealsPage } from "../pages/deals";
import { DoctorPage } from "../pages/doctor";

/**
 * The REST log the Marketplace asks for (README "REST log"): an administrator sees the portal's recent REST requests
 * on the doctor, each with the X-Request-Id the portal received, and downloads them as JSON lines; a non-admin of
 * the same portal gets neither. Fresh emulated portals keep the other specs' portals untouched.
 */
const MARIA = { label: "Maria Ivanova", name: "Maria Ivanova" };

test("an administrator sees the portal's REST requests on the doctor and downloads them as JSON lines", async ({ page, emulator, signInTo }) => {
  const portal = await emulator.addPortal({ deals: 3 });
  const seq = await emulator.lastSeq();
  // Sign-in (a profile batch), the dashboard (app.option.get) and the deals page (crm.deal.list through the proxy).
  await signInTo(portal.host);
  const deals = new DealsPage(page);
  await deals.open();
  await expect(deals.rows()).toHaveCount(3);

  await page.goto("/doctor");
  await new DoctorPage(page).expectOpen();
  const log = page.getByRole("region", { name: "REST log" });
  const entries = log.getByRole("list", { name: "REST log entries" }).getByTestId("rest-log-row");
  for (const method of ["batch", "app.option.get", "crm.deal.list"]) {
    await expect(entries.filter({ hasText: method }).first()).toBeVisible();
  }
  // The id on the row is the X-Request-Id the portal received for that request.
  const listed = entries.filter({ hasText: "crm.deal.list" }).first();
  const requestId = await listed.getAttribute("data-request-id");
  const received = (await emulator.log(seq)).filter((e) => e.server === "portal" && e.host === portal.host && e.path === "/rest/crm.deal.list");
  expect(received.map((e) => e.headers["x-request-id"])).toContain(requestId);
  // A row opens to its bodies.
  await listed.locator("summary").click();
  await expect(listed.getByText("Request (parameters; credentials removed)")).toBeVisible();
  await expect(listed.locator("pre").first()).toContainText('"order"');

  const [download] = await Promise.all([page.waitForEvent("download"), log.getByRole("link", { name: "Download (JSON lines)" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^rest-log-.+\.jsonl$/);
  const text = await readFile((await download.path())!, "utf8");
  const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { memberId: string; method: string; requestId: string; status: number });
  expect(lines.length).toBeGreaterThanOrEqual(3);
  expect(new Set(lines.map((l) => l.memberId))).toEqual(new Set([portal.memberId]));
  expect(lines.map((l) => l.method)).toEqual(expect.arrayContaining(["batch", "app.option.get", "crm.deal.list"]));
  expect(lines.map((l) => l.requestId)).toContain(requestId);
  const narrowed = await page.request.get("/api/doctor/rest-log?days=1");
  expect(narrowed.status()).toBe(200);
  expect(narrowed.headers()).toMatchObject({ "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "private, no-store" });
  expect(narrowed.headers()["content-disposition"]).toMatch(/^attachment; filename="rest-log-.+\.jsonl"$/);
  expect((await page.request.get("/api/doctor/rest-log?days=soon")).status()).toBe(400);
  // The portal's live tokens appear nowhere in the file.
  for (const t of (await emulator.tokens()).filter((x) => x.memberId === portal.memberId)) {
    expect(text).not.toContain(t.access);
    expect(text).not.toContain(t.refresh);
  }
});

test("a non-admin of the portal gets 403 from the download and no doctor; without a session, 401", async ({ page, emulator, signInTo }) => {
  const portal = await emulator.addPortal({});
  const cookie = await signInTo(portal.host, MARIA);
  const download = await fetch(`${e2e.appUrl}/api/doctor/rest-log`, { headers: { cookie } });
  expect(download.status).toBe(403);
  expect(download.headers.get("content-disposition")).toBeNull();
  expect(await download.text()).not.toContain(portal.memberId);

  const doctor = await page.goto("/doctor");
  expect(doctor?.status()).toBe(403);
  await expect(page.getByRole("region", { name: "REST log" })).toHaveCount(0);

  expect((await fetch(`${e2e.appUrl}/api/doctor/rest-log`)).status).toBe(401);
});
