import { expect, test } from "../fixtures";
import { installedInFrame, portalRest } from "../portal-setup";

/**
 * ONCRMDEALUPDATE is an offline event in the manifest: Bitrix24 keeps each changed deal in its queue, signals
 * ONOFFLINEEVENT, and the app drains the queue into its inbox before clearing it. Seen from outside: the portal's
 * queue empties, each change is handled once (one read of the deal), and the dashboard shows the last change.
 */
test("a deal changed in Bitrix24 reaches the app through the offline queue and shows on the dashboard", async ({ page, emulator }) => {
  const { portal, app } = await installedInFrame(page, emulator, { deals: 3 });
  const bindings = (await emulator.portal(portal.memberId)).bindings;
  expect(bindings.filter((b) => b.offline).map((b) => b.event)).toEqual(["ONCRMDEALUPDATE"]);
  const since = await emulator.lastSeq();

  // A person edits deal 2 twice. Bitrix24 never queues the app's own writes back to it, so the title is set with a
  // token and the change is raised as user 1's, as the portal does when someone saves the deal card.
  for (const title of ["Changed while nobody looked", "Changed twice"]) {
    await portalRest(emulator, portal, "crm.deal.update", { id: 2, fields: { TITLE: title } });
    await emulator.events(portal.memberId, { event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: 2 } }, userId: 1 });
  }
  await expect.poll(async () => (JSON.parse(String((await emulator.portal(portal.memberId)).appOptions.last_deal_updated ?? "{}")) as { title?: string }).title, { timeout: 20_000 }).toBe("Changed twice");
  await expect.poll(async () => (await emulator.portal(portal.memberId)).offlineEvents, { timeout: 10_000 }).toBe(0);

  const log = (await emulator.log(since)).filter((r) => r.server === "portal" && r.host === portal.host);
  // One queue row per deal while unreserved: two changes make one read, or two when a drain took the first in between.
  expect(log.filter((r) => r.path === "/rest/crm.deal.get").length).toBeLessThanOrEqual(2);
  // Reserved first (clear=0), cleared after: never the lossy clear=1.
  const gets = log.filter((r) => r.path === "/rest/event.offline.get");
  expect(gets.length).toBeGreaterThan(0);
  expect(gets.every((r) => String((JSON.parse(r.body) as { clear?: unknown }).clear) === "0")).toBe(true);
  const firstClear = log.findIndex((r) => r.path === "/rest/event.offline.clear");
  expect(firstClear).toBeGreaterThan(log.findIndex((r) => r.path === "/rest/event.offline.get"));

  await page.reload();
  await app.expectDashboard("Ivan Petrov", portal.host);
  await expect(app.frame.getByText("#2 Changed twice")).toBeVisible();
});
