import { ADMIN_NAME, e2e, expect, test } from "../fixtures";
import { DealsPage } from "../pages/deals";
import { KeyboardUser } from "../pages/keyboard";

/**
 * Keyboard only (issue 15): a person who cannot use a mouse signs in from the landing page through the portal's
 * login/consent page and creates a deal. Every action is a key press; locators only check where focus is.
 */
test("sign in and create a deal with the keyboard alone", async ({ page, landing, portalLogin, dashboard, emulator }) => {
  const kb = new KeyboardUser(page);
  await portalLogin.signOut(e2e.portalHost);
  await page.goto("/");

  await kb.tabTo(landing.portalInput());
  await kb.type(e2e.portalHost);
  await kb.tabTo(landing.connectButton());
  await kb.press("Enter");

  // The portal's page: the user chooser first, then Allow (its first option is the administrator).
  await portalLogin.expectOpen(e2e.portalHost);
  await kb.tabTo(page.getByLabel("Sign in as"));
  await expect(page.getByLabel("Sign in as")).toHaveValue("1");
  await kb.tabTo(page.getByRole("button", { name: "Allow" }));
  await kb.press("Enter");
  await dashboard.expectSignedIn(ADMIN_NAME, e2e.portalHost);

  const deals = new DealsPage(page);
  await kb.tabTo(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }));
  await kb.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deals");
  await expect(deals.range()).toHaveText(/^1–50 of \d+$/);
  const total = Number((await deals.range().textContent())!.split(" of ")[1]);

  const since = await emulator.lastSeq();
  await kb.tabTo(deals.title());
  await kb.type("Keyboard-only deal");
  await kb.tabTo(deals.amount());
  await kb.type("2500");
  await kb.tabTo(deals.currency());
  // A closed select changes with the arrow keys: USD → EUR.
  await kb.press("ArrowDown");
  await expect(deals.currency()).toHaveValue("EUR");
  await kb.tabTo(deals.createButton());
  // Shift+Tab goes back the same way.
  await kb.tabTo(deals.currency(), { backwards: true, max: 1 });
  await kb.tabTo(deals.createButton(), { max: 1 });
  await kb.press("Enter");

  await expect(page.getByRole("status")).toHaveText(/^Deal #\d+ created\.$/);
  await expect(deals.range()).toHaveText(`1–50 of ${total + 1}`);
  await expect(deals.rows().first()).toContainText("Keyboard-only deal");
  await expect(deals.rows().first()).toContainText("€2,500.00");
  const add = (await emulator.log(since)).find((r) => r.path === "/rest/crm.deal.add");
  expect(add?.body).toContain("Keyboard-only deal");
  expect(add?.body).toContain("EUR");
});
