import { ADMIN_NAME, e2e, expect, test } from "../fixtures";

test.describe("sign in with Bitrix24", () => {
  test("landing → portal login/consent → dashboard, with the pair stored encrypted [#31]", async ({ page, signIn, emulator, db }) => {
    const since = await emulator.lastSeq();
    await signIn();
    await expect(page.getByText("Portal administrator")).toBeVisible();
    await expect(page.getByRole("list", { name: "Granted scopes" })).toBeVisible();

    const tokenCalls = await emulator.tokenRequests(since);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.method).toBe("POST");
    expect(Object.keys(tokenCalls[0]!.query)).toEqual([]);
    expect(new URLSearchParams(tokenCalls[0]!.body).get("grant_type")).toBe("authorization_code");

    // The profile came from the portal REST address the OAuth server reported, with the token in the body.
    const rest = (await emulator.log(since)).filter((r) => r.path.startsWith("/rest/") && r.server === "portal");
    expect(rest.length).toBeGreaterThan(0);
    for (const r of rest) {
      expect(r.host).toBe(e2e.portalHost);
      expect(JSON.stringify(r.query)).not.toMatch(/auth|token/i);
    }

    const rows = await db.tokenRows();
    expect(rows.some((r) => r.kind === "user" && r.bitrixUserId === 1)).toBe(true);
    const dump = await db.dump();
    for (const t of await emulator.tokens()) {
      expect(dump).not.toContain(t.access);
      expect(dump).not.toContain(t.refresh);
    }
    for (const r of rows) expect(r.accessToken).toMatch(/^v1\.e2e\./);
  });

  test("a second user of the same portal gets their own user row and pair", async ({ page, landing, portalLogin, dashboard, db, emulator }) => {
    await landing.open();
    await landing.connect(e2e.portalHost);
    await portalLogin.expectOpen(e2e.portalHost);
    await portalLogin.allow("Maria Ivanova");
    await dashboard.expectSignedIn("Maria Ivanova", e2e.portalHost);
    await expect(page.getByText("Role")).toBeVisible();
    await expect(page.getByText("Portal administrator")).toHaveCount(0);
    const rows = await db.tokenRows();
    // Scoped to this portal: other specs (frame.spec.ts) add portals whose user 2 has a pair too.
    const memberId = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!.memberId;
    expect(rows.filter((r) => r.memberId === memberId && r.kind === "user" && r.bitrixUserId === 2)).toHaveLength(1);
  });

  test("sign-out ends the session and the dashboard is protected", async ({ page, signIn, dashboard }) => {
    await signIn();
    await dashboard.signOut();
    await page.goto("/dashboard");
    await expect(page).toHaveURL(`${e2e.appUrl}/`);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name.includes("session-token"))).toBeUndefined();
  });

  test("the landing page explains a bad portal address without leaving the app", async ({ page, landing, emulator }) => {
    const since = await emulator.lastSeq();
    await landing.open();
    await landing.connect("evil.example");
    // The e2e app runs with its own B24_PORTAL_HOSTS, so the refusal names that rule, not the cloud list.
    await expect(landing.error()).toHaveText(/not one of the portals this app accepts.*B24_PORTAL_HOSTS pattern \^127/);
    await landing.connect("");
    await expect(landing.error()).toHaveText(/Enter your Bitrix24 address/);
    await expect(page).toHaveURL(`${e2e.appUrl}/`);
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test(`the signed-in admin is ${ADMIN_NAME} and reaches the dashboard again without a new login`, async ({ page, signIn }) => {
    await signIn();
    await page.goto("/");
    await expect(page).toHaveURL(/\/dashboard$/);
  });
});
