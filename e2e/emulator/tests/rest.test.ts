import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { http, rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let user: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start();
  url = emu.portals[0]!.url;
  admin = await signIn(emu, 0, 1);
  user = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

describe("REST transport", () => {
  it("takes the token from auth, access_token or a Bearer header", async () => {
    expect((await http(`${url}/rest/profile?auth=${admin.access_token}`)).status).toBe(200);
    expect((await http(`${url}/rest/profile?access_token=${admin.access_token}`)).status).toBe(200);
    const bearer = await http(`${url}/rest/profile`, { headers: { authorization: `Bearer ${admin.access_token}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.body.result.ID).toBe("1");
  });

  it("accepts GET, POST JSON and POST form with nested keys", async () => {
    const get = await http(`${url}/rest/app.option.set?auth=${admin.access_token}&options[color]=red&options[size][w]=3`);
    expect(get.body.result).toBe(true);
    const formRes = await http(`${url}/rest/app.option.set`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `auth=${admin.access_token}&options%5Blist%5D%5B%5D=a&options%5Blist%5D%5B%5D=b`,
    });
    expect(formRes.body.result).toBe(true);
    const all = await rest(url, "app.option.get", admin.access_token);
    expect(all.body.result).toEqual({ color: "red", size: { w: "3" }, list: ["a", "b"] });
    const one = await rest(url, "app.option.get", admin.access_token, { option: "color" });
    expect(one.body.result).toBe("red");
  });

  it("accepts multipart/form-data", async () => {
    const fd = new FormData();
    fd.append("auth", admin.access_token);
    fd.append("options[mp]", "yes");
    const res = await http(`${url}/rest/app.option.set`, { method: "POST", body: fd });
    expect(res.body.result).toBe(true);
    expect((await rest(url, "app.option.get", admin.access_token, { option: "mp" })).body.result).toBe("yes");
  });

  it("accepts .json, a trailing slash, repeated slashes and any case", async () => {
    for (const path of ["/rest/profile.json", "/rest/profile/", "/rest//profile", "/rest/PROFILE", "//rest/Profile.json"]) {
      const res = await http(`${url}${path}?auth=${admin.access_token}`);
      expect(res.status, path).toBe(200);
    }
  });

  it("wraps results in the envelope with a time block", async () => {
    const res = await rest(url, "profile", admin.access_token);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(Object.keys(res.body)).toEqual(["result", "time"]);
    expect(Object.keys(res.body.time)).toEqual([
      "start", "finish", "duration", "processing", "date_start", "date_finish", "operating_reset_at", "operating",
    ]);
    expect(res.body.time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(res.body.time.operating).toBe(0);
  });

  it("ignores unknown top-level parameters such as the SDK tracing ones", async () => {
    const res = await http(`${url}/rest/profile?bx24_request_id=1&bx24_sdk_ver=2&auth=${admin.access_token}`);
    expect(res.status).toBe(200);
  });
});

describe("system methods", () => {
  it("profile and user.current describe the token's user", async () => {
    expect((await rest(url, "profile", admin.access_token)).body.result).toMatchObject({ ID: "1", ADMIN: true, NAME: "Ivan", LAST_NAME: "Petrov" });
    expect((await rest(url, "profile", user.access_token)).body.result).toMatchObject({ ID: "2", ADMIN: false });
    const cur = await rest(url, "user.current", user.access_token);
    expect(cur.body.result).toMatchObject({ ID: "2", ACTIVE: true, NAME: "Maria", LAST_NAME: "Ivanova", EMAIL: "maria@example.test" });
  });

  it("user.get lists and filters users with total", async () => {
    const all = await rest(url, "user.get", admin.access_token);
    expect(all.body.total).toBe(2);
    expect(all.body.result.map((u: { ID: string }) => u.ID)).toEqual(["1", "2"]);
    const one = await rest(url, "user.get", admin.access_token, { filter: { ID: 2 } });
    expect(one.body.result).toHaveLength(1);
    expect(one.body.result[0].EMAIL).toBe("maria@example.test");
  });

  it("app.info reports the portal-side shape", async () => {
    const res = await rest(url, "app.info", admin.access_token);
    expect(res.body.result).toMatchObject({ CODE: "local.test.0000000000000042", STATUS: "L", INSTALLED: true, PAYMENT_EXPIRED: "N" });
  });

  it("scope, methods and method.get", async () => {
    expect((await rest(url, "scope", admin.access_token)).body.result).toEqual(["crm", "user", "placement"]);
    expect((await rest(url, "scope", admin.access_token, { full: true })).body.result).toContain("task");
    const methods = (await rest(url, "methods", admin.access_token)).body.result as string[];
    expect(methods).toEqual(expect.arrayContaining(["profile", "crm.deal.list", "batch", "event.bind"]));
    expect((await rest(url, "method.get", admin.access_token, { name: "crm.deal.add" })).body.result).toEqual({ isExisting: true, isAvailable: true });
    expect((await rest(url, "method.get", admin.access_token, { name: "nope.x" })).body.result).toEqual({ isExisting: false, isAvailable: false });
  });

  it("server.time follows the emulator clock", async () => {
    const { now } = await emu.control.clock({ freeze: true, advanceSec: 600 });
    const res = await rest(url, "server.time", admin.access_token);
    await emu.control.clock({ freeze: false });
    expect(res.body.result).toBe(new Date(Math.floor(now) * 1000).toISOString().replace(".000Z", "+00:00"));
  });

  it("app.option.set is for administrators only", async () => {
    const res = await rest(url, "app.option.set", user.access_token, { options: { a: 1 } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "ACCESS_DENIED", error_description: "Access denied! Administrator authorization required" });
    expect((await rest(url, "app.option.get", user.access_token)).status).toBe(200);
  });

  it("user.option.* keeps options per user", async () => {
    await rest(url, "user.option.set", user.access_token, { options: { theme: "dark" } });
    expect((await rest(url, "user.option.get", user.access_token, { option: "theme" })).body.result).toBe("dark");
    expect((await rest(url, "user.option.get", admin.access_token, { option: "theme" })).body.result).toBeNull();
  });
});
