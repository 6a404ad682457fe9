import { afterEach, describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions } from "../index";
import { http, rest, signIn, start } from "./helpers";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function frozen(opts: Partial<EmulatorOptions>) {
  emu = await start(opts);
  await emu.control.clock({ freeze: true });
  const t = await signIn(emu);
  return { emu, url: emu.portals[0]!.url, token: t.access_token };
}

async function burst(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await http(`${url}/rest/server.time?auth=${token}`)).status);
  return out;
}

describe("leaky bucket", () => {
  it("standard: burst 50, then 503 QUERY_LIMIT_EXCEEDED, draining 2 per second", async () => {
    const { emu: e, url, token } = await frozen({ rateLimit: "standard" });
    const statuses = await burst(url, token, 50);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await http(`${url}/rest/server.time?auth=${token}`);
    expect(over.status).toBe(503);
    expect(over.body).toEqual({ error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" });
    await e.control.clock({ advanceSec: 1 });
    expect(await burst(url, token, 3)).toEqual([200, 200, 503]);
  });

  it("enterprise: burst 250, draining 5 per second", async () => {
    const { emu: e, url, token } = await frozen({ rateLimit: "enterprise" });
    const statuses = await burst(url, token, 251);
    expect(statuses.filter((s) => s === 200)).toHaveLength(250);
    expect(statuses[250]).toBe(503);
    await e.control.clock({ advanceSec: 1 });
    expect(await burst(url, token, 6)).toEqual([200, 200, 200, 200, 200, 503]);
  });

  it("a portal plan overrides the global mode, and off disables the limit", async () => {
    emu = await start({ rateLimit: "off", portals: [{}] });
    const t = await signIn(emu);
    expect((await burst(emu.portals[0]!.url, t.access_token, 80)).every((s) => s === 200)).toBe(true);
    await emu.stop();
    emu = await start({ rateLimit: "standard", portals: [{ plan: "enterprise" }] });
    await emu.control.clock({ freeze: true });
    const t2 = await signIn(emu);
    expect((await burst(emu.portals[0]!.url, t2.access_token, 100)).every((s) => s === 200)).toBe(true);
  });

  it("a batch with many commands counts as one request", async () => {
    const { url, token } = await frozen({ rateLimit: "standard" });
    await burst(url, token, 49);
    const cmd = Array.from({ length: 50 }, () => "server.time");
    const res = await rest(url, "batch", token, { cmd });
    expect(res.status).toBe(200);
    expect(res.body.result.result).toHaveLength(50);
    expect((await http(`${url}/rest/server.time?auth=${token}`)).status).toBe(503);
  });
});

describe("operating limit", () => {
  it("blocks one method with 429 OPERATION_TIME_LIMIT until operating_reset_at, others keep working", async () => {
    const { emu: e, url, token } = await frozen({
      operatingLimitSec: 100,
      methodCostMs: (m) => (m === "crm.deal.list" ? 30_000 : 0),
    });
    const times: number[] = [];
    let reset = 0;
    for (let i = 0; i < 4; i++) {
      const r = await rest(url, "crm.deal.list", token);
      expect(r.status).toBe(200);
      times.push(r.body.time.operating);
      reset = r.body.time.operating_reset_at;
      expect(r.body.time.processing).toBe(30);
    }
    expect(times).toEqual([30, 60, 90, 120]);
    const blocked = await rest(url, "crm.deal.list", token);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ error: "OPERATION_TIME_LIMIT", error_description: "Method is blocked due to operation time limit." });
    expect((await rest(url, "profile", token)).status).toBe(200);
    const now = (await e.control.clock()).now;
    await e.control.clock({ advanceSec: reset - now + 1 });
    expect((await rest(url, "crm.deal.list", token)).status).toBe(200);
  });

  it("counts batch sub-calls but not the batch itself", async () => {
    const { emu: e, url, token } = await frozen({ operatingLimitSec: 50 });
    await e.control.setMethodCost({ method: "server.time", ms: 20_000 });
    const res = await rest(url, "batch", token, { cmd: ["server.time", "server.time", "server.time", "server.time"] });
    expect(Object.keys(res.body.result.result)).toHaveLength(3);
    expect(res.body.result.result_error).toEqual({
      3: { error: "OPERATION_TIME_LIMIT", error_description: "Method is blocked due to operation time limit." },
    });
    expect(res.body.time.operating).toBe(0);
    expect((await rest(url, "batch", token, { cmd: ["profile"] })).status).toBe(200);
  });
});
