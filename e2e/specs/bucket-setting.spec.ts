import type { Request } from "@playwright/test";
import { e2e, expect, test } from "../fixtures";
import { SettingsPage } from "../pages/settings";

/**
 * The portal's request bucket (README "Per-portal request bucket"): an administrator picks Bitrix24's Enterprise
 * bucket on the settings page and it is stored for that portal; a non-administrator neither sees the choice nor gets
 * a change through by sending the page's own server-action request with their session.
 */
const MARIA = { label: "Maria Ivanova", name: "Maria Ivanova" };

test("an administrator chooses the Enterprise bucket and it persists; a non-administrator cannot see or submit it", async ({ page, emulator, db, signInTo }) => {
  const portal = await emulator.addPortal({ installed: true });
  const settings = new SettingsPage(page);

  await signInTo(portal.host);
  await settings.open();
  await expect(settings.bucketChoice(/^Deployment default/)).toBeChecked();
  const sent: Request[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.headers()["next-action"]) sent.push(r);
  });
  await settings.saveBucket(/^Enterprise \(250 burst, 5\/s\)/);
  expect(await db.bucket(portal.memberId)).toEqual({ burst: 250, perSec: 5 });
  await page.reload();
  await expect(settings.bucketChoice(/^Enterprise/)).toBeChecked();
  await expect(settings.bucketSection()).toContainText("within 30 seconds");

  // The action's request as the browser sent it, replayed with whatever session the browser now holds.
  const action = sent.find((r) => r.postData()?.includes("enterprise"));
  expect(action).toBeDefined();
  const headers = await action!.allHeaders();
  const replay = async (choice: string) => {
    const res = await page.request.post("/settings", {
      headers: { "next-action": headers["next-action"]!, "content-type": headers["content-type"]!, accept: "text/x-component", origin: e2e.appUrl },
      data: action!.postData()!.replace("enterprise", choice),
    });
    expect(res.headers()["content-type"]).toContain("text/x-component");
    return res.text();
  };
  // The replay reaches the action: the administrator's own session changes the bucket with it.
  expect(await replay("standard")).toContain('{"ok":true}');
  expect(await db.bucket(portal.memberId)).toEqual({ burst: 50, perSec: 2 });
  expect(await replay("enterprise")).toContain('{"ok":true}');

  await signInTo(portal.host, MARIA);
  await settings.open();
  await expect(page.getByRole("heading", { name: "Just for you" })).toBeVisible();
  await expect(settings.bucketSection()).toHaveCount(0);
  await expect(page.getByText("Request bucket")).toHaveCount(0);
  expect(await replay("default")).toContain('{"ok":false,"error":"Only a Bitrix24 administrator can change this."}');
  expect(await db.bucket(portal.memberId)).toEqual({ burst: 250, perSec: 5 });
});
