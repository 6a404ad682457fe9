import { describe, expect, it } from "vitest";
import { encodeBracket } from "@/e2e/emulator/form";
import { B24Error } from "@/lib/errors";
import { FORM_LIMITS, formString, parseFormRequest, parseFormText } from "./form";
import { endlessRequest } from "@/test/endless-request";

const post = (body: BodyInit, type: string | null = "application/x-www-form-urlencoded", headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/api/b24/events", { method: "POST", body, headers: { ...(type ? { "content-type": type } : {}), ...headers } });

async function statusOf(p: Promise<unknown> | (() => unknown)): Promise<number> {
  try {
    await (typeof p === "function" ? p() : p);
    return 200;
  } catch (err) {
    if (err instanceof B24Error) return { bad_request: 400, payload_too_large: 413 }[err.code as string] ?? 500;
    throw err;
  }
}

describe("form parser", () => {
  it("reads a delivery exactly as PHP's http_build_query writes it", async () => {
    const body = encodeBracket({
      event: "ONAPPINSTALL",
      data: { VERSION: "1", FIELDS: { ID: "7", LIST: ["a", "b"] } },
      auth: { member_id: "abc", application_token: "t+ok/en=", domain: "ü.example" },
    }).toString();
    const tree = await parseFormRequest(post(body, "application/x-www-form-urlencoded; charset=UTF-8"));
    expect(formString(tree, "event")).toBe("ONAPPINSTALL");
    expect(formString(tree, "data", "FIELDS", "ID")).toBe("7");
    expect(formString(tree, "data", "FIELDS", "LIST", "1")).toBe("b");
    expect(formString(tree, "auth", "application_token")).toBe("t+ok/en=");
    expect(formString(tree, "auth", "domain")).toBe("ü.example");
    expect(formString(tree, "data", "FIELDS")).toBeUndefined();
    expect(formString(tree, "toString")).toBeUndefined();
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(Object.getPrototypeOf(tree.data)).toBeNull();
  });

  it("decodes + as a space and accepts keys without a value and empty pairs", () => {
    const tree = parseFormText("a=b+c&&flag&x%5By%5D=%2B");
    expect(tree).toEqual(Object.assign(Object.create(null), { a: "b c", flag: "", x: Object.assign(Object.create(null), { y: "+" }) }));
  });

  it.each([
    ["__proto__[polluted]=1"],
    ["auth[__proto__][polluted]=1"],
    ["constructor[prototype][polluted]=1"],
    ["a[prototype]=1"],
    ["auth%5B__proto__%5D%5Bpolluted%5D=1"],
  ])("rejects the reserved segment in %s", (body) => {
    expect(() => parseFormText(body)).toThrow(/reserved/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["auth[application_token]=a&auth[application_token]=b", /more than once/],
    ["event=ONAPPINSTALL&event=ONAPPUNINSTALL", /more than once/],
    ["data[X]=1&data[X]=1", /more than once/],
    ["a=1&a[b]=2", /both/],
    ["a[b]=2&a=1", /more than once/],
    ["list[]=1", /Empty brackets/],
    ["a[b=1", /malformed/],
    ["a]=1", /malformed/],
    ["[a]=1", /malformed/],
    ["a[b]x=1", /malformed/],
    ["a=%", /percent/],
    ["a=%zz", /percent/],
    ["a=%C3%28", /UTF-8/],
    ["a=%ED%A0%80", /UTF-8/],
  ])("refuses %s with 400", (body, why) => {
    expect(() => parseFormText(body)).toThrow(why);
  });

  it("enforces depth, key count and key length at their limits", () => {
    const deep = (n: number) => `a${"[x]".repeat(n - 1)}=1`;
    expect(() => parseFormText(deep(FORM_LIMITS.depth))).not.toThrow();
    expect(() => parseFormText(deep(FORM_LIMITS.depth + 1))).toThrow(/deeply/);
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join("&");
    expect(() => parseFormText(keys(FORM_LIMITS.keys))).not.toThrow();
    expect(() => parseFormText(keys(FORM_LIMITS.keys + 1))).toThrow(/too many/);
    expect(() => parseFormText(`${"k".repeat(FORM_LIMITS.keyLength + 1)}=1`)).toThrow(/too long/);
  });

  it("answers 400 for any other content type, 413 beyond 64 KB (declared or streamed), 400 for invalid UTF-8 [#30]", async () => {
    for (const type of [null, "application/json", "multipart/form-data; boundary=x", "text/plain", "application/x-www-form-urlencoded; charset=latin1"]) {
      expect(await statusOf(parseFormRequest(post("a=1", type)))).toBe(400);
    }
    expect(await statusOf(parseFormRequest(post(`a=${"x".repeat(FORM_LIMITS.bytes - 2)}`)))).toBe(200);
    expect(await statusOf(parseFormRequest(post(`a=${"x".repeat(FORM_LIMITS.bytes)}`)))).toBe(413);
    expect(await statusOf(parseFormRequest(post("a=1", undefined, { "content-length": "99999999" })))).toBe(413);
    const endless = endlessRequest("application/x-www-form-urlencoded");
    expect(await statusOf(parseFormRequest(endless.request))).toBe(413);
    expect(endless.pulled()).toBeLessThan(10);
    expect(await statusOf(parseFormRequest(post(new Uint8Array([0x61, 0x3d, 0xff, 0xfe]))))).toBe(400);
  });
});
