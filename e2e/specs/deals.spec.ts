import { expect, test } from "../fixtures";
import { DealsPage } from "../pages/deals";

test("the Deals page lists, paginates and creates deals through the proxy", async ({ page, signIn, emulator }) => {
  await signIn();
  const deals = new DealsPage(page);
  await deals.open();

  await expect(deals.range()).toHaveText(/^1–50 of \d+$/);
  await expect(deals.rows()).toHaveCount(50);
  const total = Number((await deals.range().textContent())!.split(" of ")[1]);
  expect(total).toBeGreaterThanOrEqual(120);

  await page.getByRole("button", { name: "Next" }).click();
  await expect(deals.range()).toHaveText(`51–100 of ${total}`);
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(deals.range()).toHaveText(`1–50 of ${total}`);

  const since = await emulator.lastSeq();
  await deals.create("Playwright deal", "1234.50");
  const created = page.getByRole("status");
  await expect(created).toHaveText(/^Deal #\d+ created\.$/);
  await expect(deals.range()).toHaveText(`1–50 of ${total + 1}`);
  await expect(deals.rows().first()).toContainText("Playwright deal");
  await expect(deals.rows().first()).toContainText("€1,234.50");

  const add = (await emulator.log(since)).find((r) => r.path === "/rest/crm.deal.add");
  expect(add?.method).toBe("POST");
  expect(JSON.stringify(add?.query)).toBe("{}");
  expect(add?.body).toContain("Playwright deal");
});

test("the Deals page explains a failure and recovers with Try again", async ({ page, signIn, emulator }) => {
  await signIn();
  await emulator.fault({ path: "/rest/crm.deal.list", count: 1, kind: "status", status: 400, body: { error: "ACCESS_DENIED", error_description: "Access denied!" } });
  const deals = new DealsPage(page);
  await deals.open();
  const alert = page.getByRole("alert").filter({ hasText: "Deals could not be loaded" });
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(deals.rows()).toHaveCount(50);
});

test("an invalid amount is explained without calling Bitrix24", async ({ page, signIn, emulator }) => {
  await signIn();
  const deals = new DealsPage(page);
  await deals.open();
  await expect(deals.rows()).toHaveCount(50);
  const since = await emulator.lastSeq();
  await deals.create("Bad amount", "12,5,0");
  await expect(page.getByRole("alert").filter({ hasText: "Amount must be a number" })).toBeVisible();
  expect((await emulator.log(since)).filter((r) => r.path === "/rest/crm.deal.add")).toHaveLength(0);
});
