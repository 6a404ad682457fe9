import { describe, expect, it } from "vitest";
import { errorJson } from "@/lib/http/responses";
import { endlessRequest } from "@/test/endless-request";
import { MAX_BODY_BYTES, readParams } from "./proxy";

/** The proxy's body reader: what the browser may send as Bitrix24 parameters, and the status of what it may not. */
const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/api/b24/user.current", { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return errorJson(err).status;
  }
}

describe("readParams", () => {
  it("returns the JSON object; an empty body is no parameters", async () => {
    expect(await readParams(post('{"filter":{">ID":5},"select":["ID"]}'))).toEqual({ filter: { ">ID": 5 }, select: ["ID"] });
    expect(await readParams(post(""))).toEqual({});
    expect(await readParams(post(null))).toEqual({});
  });

  it("refuses more than 64 KB with 413, declared or streamed, without reading the rest", async () => {
    const big = JSON.stringify({ a: "x".repeat(MAX_BODY_BYTES) });
    expect(await statusOf(readParams(post(big)))).toBe(413);
    expect(await statusOf(readParams(post("{}", { "content-length": String(MAX_BODY_BYTES + 1) })))).toBe(413);
    const endless = endlessRequest("application/json", 0x20);
    expect(await statusOf(readParams(endless.request))).toBe(413);
    expect(endless.pulled()).toBeLessThan(10);
  });

  it("answers 400 for anything but a JSON object in UTF-8, and for credential or prototype keys", async () => {
    for (const body of ["{", "[1,2]", '"x"', "null", '{"auth":"t"}', '{"ACCESS_TOKEN":"t"}', '{"__proto__":{"x":1}}', '{"client_secret":"s"}']) {
      expect(await statusOf(readParams(post(body))), body).toBe(400);
    }
    expect(await statusOf(readParams(post(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))))).toBe(400);
  });
});
