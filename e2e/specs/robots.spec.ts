import type { EmulatorApi } from "../emulator-api";
import { e2e, expect, test } from "../fixtures";
import { DoctorPage } from "../pages/doctor";
import { installedInFrame, portalRest } from "../portal-setup";

/**
 * The manifest's automation robot (bitrix24.app.ts: score_deal) end to end, in Chromium against the emulated portal
 * (extensions reference §4): the installer registers it for the installer (bizproc.robot.add), the installer page and
 * the doctor show it, a deal's automation runs it, and the app answers the waiting step with bizproc.event.send
 * carrying the score computed from the deal. A robot call with a wrong application_token is refused and answers
 * nothing.
 */
const HANDLER = `${e2e.appUrl}/api/b24/robot`;

/** The oracle, independent of the app's code: a point per full 1,000 of the amount, times the weight, at most 1,000. */
const expectedScore = (opportunity: string, weight: number) => Math.min(1000, Math.floor(Number(opportunity) / 1000) * weight);

const runOf = async (emulator: EmulatorApi, memberId: string, eventToken: string) => (await emulator.robotRuns(memberId)).find((r) => r.eventToken === eventToken);

test.describe("automation robots", () => {
  test("install registers score_deal; a deal's automation runs it and gets the deal's score back", async ({ page, emulator }) => {
    const { portal, app } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    expect(await emulator.robots(portal.memberId)).toEqual([expect.objectContaining({ code: "score_deal", handler: HANDLER, authUserId: 1, useSubscription: "Y" })]);

    await app.doctorLink().click();
    const doctor = new DoctorPage(app.frame);
    await doctor.expectOpen();
    await expect(doctor.value(/^Robots/, "Registered")).toHaveText("score_deal");
    await expect(doctor.value(/^Robots/, "Missing")).toHaveText("none");
    await expect(doctor.value(/^Permissions/, "Missing")).toHaveText("none");

    const deal = await portalRest<{ ID: string; OPPORTUNITY: string }>(emulator, portal, "crm.deal.get", { id: 4 });
    const score = expectedScore(deal.OPPORTUNITY, 2);
    expect(score).toBeGreaterThan(0);
    const run = await emulator.runRobot(portal.memberId, { code: "score_deal", documentId: Number(deal.ID), properties: { weight: "2" } });
    expect(run.delivery).toMatchObject({ status: 200, handler: HANDLER });
    await expect.poll(async () => (await runOf(emulator, portal.memberId, run.eventToken!))?.status).toBe("done");
    expect(await runOf(emulator, portal.memberId, run.eventToken!)).toMatchObject({ status: "done", returnValues: { score }, logMessage: "Score the deal: done." });

    // The installer page (run again here at top level: it binds, then asks for the portal's frame) shows the robot;
    // registering again updates the one robot in place.
    await page.goto("/install");
    await expect(page.getByTestId("registered-robots")).toHaveText("score_deal");
    await expect(page.getByRole("alert").filter({ hasText: "Installation did not finish" })).toContainText("must run inside Bitrix24");
    expect((await emulator.robots(portal.memberId)).map((r) => r.code)).toEqual(["score_deal"]);
  });

  test("a robot call with a wrong application_token gets 403 and the step stays unanswered", async ({ page, emulator }) => {
    const { portal } = await installedInFrame(page, emulator, { deals: 12, contacts: 6 });
    // A step whose own call the app refused (a weight that is no int): it waits, and its event_token is genuine.
    const run = await emulator.runRobot(portal.memberId, { code: "score_deal", documentId: 5, properties: { weight: "two" } });
    expect(run.delivery?.status).toBe(400);
    const call = new URLSearchParams(run.delivery!.body);
    call.set("properties[weight]", "2");
    const post = (form: URLSearchParams) => page.request.post("/api/b24/robot", { data: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });

    const { applicationToken } = await emulator.portal(portal.memberId);
    for (const wrong of [applicationToken.slice(0, -1) + (applicationToken.endsWith("x") ? "y" : "x"), "forged-application-token"]) {
      call.set("auth[application_token]", wrong);
      const refused = await post(call);
      expect(refused.status()).toBe(403);
      expect(await refused.json()).toMatchObject({ error: "forbidden" });
    }
    expect(await runOf(emulator, portal.memberId, run.eventToken!)).toMatchObject({ status: "waiting" });
    expect((await runOf(emulator, portal.memberId, run.eventToken!))?.returnValues).toBeUndefined();

    // The same call with the portal's real token is answered: the refusal above was the token, nothing else.
    call.set("auth[application_token]", applicationToken);
    expect((await post(call)).status()).toBe(200);
    await expect.poll(async () => (await runOf(emulator, portal.memberId, run.eventToken!))?.status).toBe("done");
  });
});
