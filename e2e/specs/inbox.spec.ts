import { spawn, type ChildProcess } from "node:child_process";
import type { EmulatorApi } from "../emulator-api";
import { appEnv } from "../env";
import { e2e, expect, test } from "../fixtures";
import { DoctorPage } from "../pages/doctor";
import { installedInFrame } from "../portal-setup";

/** Deals created in Bitrix24 by a person (not through the app): each fires ONCRMDEALADD at the app. */
async function addDeals(emulator: EmulatorApi, portal: { url: string; memberId: string }, titles: string[]): Promise<string[]> {
  const admin = (await emulator.tokens()).find((t) => t.memberId === portal.memberId && t.userId === 1 && !t.accessExpired)!;
  const ids: string[] = [];
  for (let i = 0; i < titles.length; i += 50) {
    const cmd = Object.fromEntries(titles.slice(i, i + 50).map((t, j) => [`d${i + j}`, `crm.deal.add?fields[TITLE]=${encodeURIComponent(t)}`]));
    const res = await fetch(`${portal.url}/rest/batch.json`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ auth: admin.access, halt: 0, cmd }) });
    ids.push(...Object.values(((await res.json()) as { result: { result: Record<string, number> } }).result.result).map(String));
  }
  return ids;
}

/** How many times the app read each deal back (the handler's first step), from the portal's request log. */
async function readsPerDeal(emulator: EmulatorApi, since: number, host: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await emulator.log(since)) {
    if (r.server !== "portal" || r.host !== host || r.path !== "/rest/crm.deal.get") continue;
    const id = r.body.startsWith("{") ? String((JSON.parse(r.body) as { id?: unknown }).id) : String(new URLSearchParams(r.body).get("id"));
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

// 200 deliveries paced by the portal's bucket take ~45 s; the PostgreSQL run proves the same with two workers below.
if (e2e.flavour === "sqlite") {
  test("200 deals added in Bitrix24: every ONCRMDEALADD is answered at once and handled exactly once", async ({ page, emulator }) => {
    test.setTimeout(150_000);
    const { portal } = await installedInFrame(page, emulator, { deals: 0 });
    const since = await emulator.lastSeq();
    const before = (await emulator.deliveries()).at(-1)?.seq ?? 0;
    const ids = await addDeals(emulator, portal, Array.from({ length: 200 }, (_, i) => `Inbox deal ${i}`));
    expect(ids).toHaveLength(200);
    const delivered = async () => (await emulator.deliveries(before)).filter((d) => d.event === "ONCRMDEALADD" && d.memberId === portal.memberId);
    await expect.poll(async () => (await delivered()).length, { timeout: 20_000 }).toBe(200);
    // Answered at once with 200, handler work or not (Bitrix24 lowers the priority of slow handlers).
    expect((await delivered()).every((d) => d.status === 200)).toBe(true);

    // The handlers run after the answers, paced by the portal's request bucket: 2 calls each.
    await expect.poll(async () => (await readsPerDeal(emulator, since, portal.host)).size, { timeout: 120_000, intervals: [1_000] }).toBe(200);
    const reads = await readsPerDeal(emulator, since, portal.host);
    expect([...reads.keys()].sort()).toEqual([...ids].sort());
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
  });
}

test("a handler that fails 5 times stops, the doctor shows it with its error, and Retry runs it to the end", async ({ page, emulator }) => {
  const { portal, app } = await installedInFrame(page, emulator, { deals: 0 });
  await emulator.fault({ host: portal.host, path: "/rest/crm.deal.get", count: 5, kind: "status", status: 400, body: { error: "ERROR_CORE", error_description: "Simulated failure" } });
  try {
    const [id] = await addDeals(emulator, portal, ["Retried deal"]);
    await app.doctorLink().click();
    const doctor = new DoctorPage(app.frame);
    await doctor.expectOpen();
    // The doctor reads the inbox when it renders: reload the frame's page until the job has stopped.
    const frame = (await (await page.locator("#app-frame").elementHandle())!.contentFrame())!;
    const reloadDoctor = () => frame.goto(`${e2e.appUrl}/doctor`);
    await expect(async () => {
      await reloadDoctor();
      await expect(doctor.value(/^Queued work/, "Stopped")).toHaveText("1", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(app.frame.getByTestId("dead-job-error")).toContainText("Simulated failure");
    await expect(doctor.problems().filter({ hasText: "stopped after their last attempt" })).toHaveCount(1);

    await app.frame.getByRole("button", { name: "Retry" }).click();
    await expect.poll(async () => (JSON.parse(String((await emulator.portal(portal.memberId)).appOptions.last_deal_added ?? "{}")) as { id?: string }).id, { timeout: 20_000 }).toBe(id);
    await reloadDoctor();
    await expect(doctor.value(/^Queued work/, "Stopped")).toHaveText("0");
    await expect(doctor.value(/^Queued work/, "Done")).toHaveText("1");
  } finally {
    await emulator.clearFaults();
  }
});

// Several processes share one PostgreSQL inbox: the web process (B24_WORKER_MODE=web) and two `npm run worker`s.
if (e2e.flavour === "postgres") {
  test("on PostgreSQL two worker processes and the web process share the inbox; no job runs twice", async ({ page, emulator }) => {
    test.setTimeout(120_000);
    const workers: ChildProcess[] = [];
    const started: Promise<void>[] = [];
    const env: Record<string, string> = { ...appEnv(), B24_WORKER_MODE: "separate", B24_WORKER_POLL_MS: "50", LOG_LEVEL: "info" };
    for (let i = 0; i < 2; i++) {
      const w = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
        env: env as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "inherit"],
      });
      workers.push(w);
      started.push(new Promise((resolve) => w.stdout!.on("data", (c: Buffer) => c.toString().includes("started") && resolve())));
    }
    const ran = new Map<number, number>();
    workers.forEach((w, i) => w.stdout!.on("data", (c: Buffer) => ran.set(i, (ran.get(i) ?? 0) + (c.toString().match(/b24\.inbox\.job_done/g) ?? []).length)));
    try {
      await Promise.all(started);
      const { portal } = await installedInFrame(page, emulator, { deals: 0 });
      const since = await emulator.lastSeq();
      const ids = await addDeals(emulator, portal, Array.from({ length: 60 }, (_, i) => `Shared deal ${i}`));
      await expect.poll(async () => (await readsPerDeal(emulator, since, portal.host)).size, { timeout: 90_000, intervals: [500] }).toBe(60);
      const reads = await readsPerDeal(emulator, since, portal.host);
      expect([...reads.keys()].sort()).toEqual([...ids].sort());
      expect([...reads.values()].every((n) => n === 1)).toBe(true);
      // The separate workers did take part (the web process alone would have run all 60).
      expect((ran.get(0) ?? 0) + (ran.get(1) ?? 0)).toBeGreaterThan(0);
    } finally {
      for (const w of workers) w.kill("SIGTERM");
    }
  });
}
