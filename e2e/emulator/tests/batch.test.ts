import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { http, rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let t: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 120 }] });
  url = emu.portals[0]!.url;
  t = await signIn(emu);
});
afterAll(() => emu.stop());

describe("batch", () => {
  it("runs commands in order and substitutes $result references", async () => {
    const res = await rest(url, "batch", t.access_token, {
      halt: 0,
      cmd: {
        me: "user.current",
        deals: "crm.deal.list?select[]=ID&filter[ASSIGNED_BY_ID]=$result[me][ID]",
        one: "crm.deal.get?id=$result[deals][0][ID]",
        title: "crm.deal.list?filter[TITLE]=Deal%20%23$result[deals][0][ID]&select[]=TITLE",
      },
    });
    expect(res.status).toBe(200);
    const r = res.body.result;
    expect(Object.keys(r)).toEqual(["result", "result_error", "result_total", "result_next", "result_time"]);
    expect(r.result.me.ID).toBe("1");
    expect(r.result.one.ASSIGNED_BY_ID).toBe("1");
    expect(r.result.title).toEqual([{ TITLE: `Deal #${r.result.deals[0].ID}` }]);
    expect(r.result_error).toEqual([]);
    expect(r.result_total.deals).toBeGreaterThan(0);
    expect(Object.keys(r.result_time)).toEqual(["me", "deals", "one", "title"]);
    expect(r.result_time.me).toHaveProperty("duration");
    expect(res.body.time).toHaveProperty("start");
  });

  it("reports result_next for list pages", async () => {
    const res = await rest(url, "batch", t.access_token, { cmd: { p1: "crm.deal.list?select[]=ID", p3: "crm.deal.list?start=100&select[]=ID" } });
    expect(res.body.result.result_next).toEqual({ p1: 50 });
    expect(res.body.result.result_total).toEqual({ p1: 120, p3: 120 });
  });

  it("collects errors per command, and halt stops at the first one", async () => {
    const cmd = { a: "profile", b: "no.such.method", c: "crm.deal.get?id=999999", d: "server.time" };
    const soft = await rest(url, "batch", t.access_token, { halt: 0, cmd });
    expect(Object.keys(soft.body.result.result)).toEqual(["a", "d"]);
    expect(soft.body.result.result_error).toEqual({
      b: { error: "ERROR_METHOD_NOT_FOUND", error_description: "Method not found!" },
      c: { error: "", error_description: "Not found" },
    });
    const hard = await rest(url, "batch", t.access_token, { halt: 1, cmd });
    expect(Object.keys(hard.body.result.result)).toEqual(["a"]);
    expect(Object.keys(hard.body.result.result_error)).toEqual(["b"]);
  });

  it("answers more than 50 commands with 200 and per-command ERROR_BATCH_LENGTH_EXCEEDED", async () => {
    const cmd = Array.from({ length: 52 }, () => "server.time");
    const res = await rest(url, "batch", t.access_token, { cmd });
    expect(res.status).toBe(200);
    expect(res.body.result.result).toHaveLength(50);
    expect(res.body.result.result_error).toEqual({
      50: { error: "ERROR_BATCH_LENGTH_EXCEEDED", error_description: "Max batch length exceeded" },
      51: { error: "ERROR_BATCH_LENGTH_EXCEEDED", error_description: "Max batch length exceeded" },
    });
  });

  it("refuses a nested batch and reports missing scopes with an empty description", async () => {
    const e = await start({ app: { clientId: "local.test.0000000000000042", clientSecret: "test-secret-0123456789abcdef", scope: "crm" } });
    try {
      const tok = await signIn(e);
      const res = await rest(e.portals[0]!.url, "batch", tok.access_token, { cmd: { u: "user.current", b: "batch?cmd[x]=profile" } });
      expect(res.body.result.result_error).toEqual({
        u: { error: "insufficient_scope", error_description: "" },
        b: { error: "ERROR_BATCH_METHOD_NOT_ALLOWED", error_description: "Method is not allowed for batch usage" },
      });
    } finally {
      await e.stop();
    }
  });

  it("accepts a form-encoded batch with double-encoded sub-queries", async () => {
    const body = `auth=${t.access_token}&cmd[x]=${encodeURIComponent("crm.deal.list?filter%5BID%5D=7&select%5B%5D=ID")}`;
    const res = await http(`${url}/rest/batch.json`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    expect(res.body.result.result.x).toEqual([{ ID: "7" }]);
  });
});
