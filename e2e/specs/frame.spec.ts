import type { Response } from "@playwright/test";
import { e2e, expect, test } from "../fixtures";
import { DoctorPage } from "../pages/doctor";
import { PortalAppPage } from "../pages/portal-app";

/**
 * Marketplace install inside the portal (https://apidocs.bitrix24.com/settings/app-installation/index.html, https://apidocs.bitrix24.com/settings/app-installation/installation-finish.html), in Chromium against the emulator's portal page:
 * iframe + auto-submitted POST → our installer binds events → installFinish through the frame bridge → the
 * portal reloads the frame with the app URL → our dashboard inside the iframe.
 *
 * The portal (127.0.0.1:P1) and the app (127.0.0.1:P2) are same-site, so this does not exercise SameSite=None
 * cookies; lib/auth-cookies.test.ts covers the https cookie attributes.
 */
test.describe("the app inside the portal", () => {
  test("install from the portal, installFinish, then each user sees their own dashboard; the doctor is admin-only [#16]", async ({ page, emulator }) => {
    const portal = await emulator.addPortal({ installed: false });
    await emulator.install(portal.memberId);
    expect(await emulator.portal(portal.memberId)).toMatchObject({ installed: true, installFinished: false });

    const framed: Response[] = [];
    page.on("response", (r) => {
      if (r.url().startsWith(e2e.appUrl) && r.request().resourceType() === "document") framed.push(r);
    });
    const since = await emulator.lastSeq();
    const app = new PortalAppPage(page);

    await app.open(portal.url);
    await app.expectInstallFinished();
    await app.expectDashboard("Ivan Petrov", portal.host);
    await expect(app.frame.getByText("Portal administrator")).toBeVisible();

    const binds = (await emulator.log(since)).filter((r) => r.server === "portal" && r.path === "/rest/event.bind");
    expect(binds.length).toBeGreaterThan(0);
    for (const b of binds) expect(b.host).toBe(portal.host);
    const state = await emulator.portal(portal.memberId);
    expect(state.installFinished).toBe(true);
    expect(state.bindings.map((b) => b.event)).toContain("ONAPPUNINSTALL");
    // Offline bindings have no handler: Bitrix24 keeps those events in its queue for the app.
    expect(state.bindings.filter((b) => !b.offline).every((b) => b.handler.startsWith(`${e2e.appUrl}/`))).toBe(true);
    expect(state.bindings.filter((b) => b.offline).map((b) => [b.event, b.handler])).toEqual([["ONCRMDEALUPDATE", ""]]);

    const token = (await emulator.tokens()).find((t) => t.memberId === portal.memberId)!;
    const info = await (await fetch(`${portal.url}/rest/app.info`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ auth: token.access }) })).json();
    expect(info.result.INSTALLED).toBe(true);

    // Every page the portal framed (install POST's redirect, installer, app POST's redirect, dashboard) names the portal.
    const paths = framed.map((r) => new URL(r.url()).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/api/b24/install", "/install", "/api/b24/app", "/dashboard"]));
    for (const r of framed) {
      const headers = await r.allHeaders();
      expect(headers["content-security-policy"], r.url()).toBe(`frame-ancestors ${portal.url}`);
      expect(headers["x-frame-options"], r.url()).toBeUndefined();
    }

    await app.doctorLink().click();
    const doctor = new DoctorPage(app.frame);
    await doctor.expectOpen();
    await expect(doctor.value(/^Bitrix24's view/, "Installed")).toHaveText("yes");
    await expect(doctor.value(/^Events$/, "Missing")).toHaveText("none");
    await expect(doctor.value(/^Placements/, "Bound")).toHaveText("CRM_DEAL_DETAIL_TAB");
    await expect(doctor.value(/^Placements/, "Missing")).toHaveText("none");
    await expect(doctor.value(/^Permissions/, "Missing")).toHaveText("none");
    await expect(doctor.problems().filter({ hasText: "No event from Bitrix24" })).toContainText("What to do:");

    await app.open(portal.url, 2);
    await app.expectDashboard("Maria Ivanova", portal.host);
    await expect(app.frame.getByText("Portal administrator")).toHaveCount(0);
    await expect(app.doctorLink()).toHaveCount(0);
    const refused = await page.goto(`${e2e.appUrl}/doctor`);
    expect(refused?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("403 · Administrators only");
    expect(refused?.headers()["content-security-policy"]).toBe(`frame-ancestors ${portal.url}`);
  });

  test("pages without a session refuse to be framed; the app URL answers GET with a pointer to Bitrix24 [#16]", async ({ request }) => {
    const landing = await request.get("/");
    expect(landing.headers()["content-security-policy"]).toBe("frame-ancestors 'none'");
    const get = await request.get("/api/b24/app");
    expect(get.status()).toBe(405);
    expect(await get.text()).toContain("Open this app from Bitrix24");
    const forged = await request.post("/api/b24/install", { form: { AUTH_ID: "forged-token-value-123", member_id: "a".repeat(32) }, headers: { origin: "https://evil.example" } });
    expect(forged.status()).toBe(401);
    expect(forged.headers()["set-cookie"]).toBeUndefined();
  });
});
