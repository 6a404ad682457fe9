import manifest from "@/bitrix24.app";
import { describe, expect, it } from "vitest";
import { B24Error } from "@/lib/errors";
import { createMethodPolicy, encodePhpQuery, isValidMethodName, parseBatchCommand, parsePhpQuery } from "./methods";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof B24Error ? e.code : `not a B24Error: ${String(e)}`;
  }
  return "no error";
}

describe("isValidMethodName", () => {
  it.each([
    "crm.deal.list",
    "CRM.Deal.List",
    "user.current",
    "app.info",
    "server.time",
    "tasks.flow.Flow.create",
    "a.b.c.d.e.f",
    "profile",
    "batch",
    "scope",
    "methods",
    "user_field.x1",
  ])("accepts %s", (name) => expect(isValidMethodName(name)).toBe(true));

  it.each([
    ["path traversal", "../oauth/token"],
    ["encoded traversal", "%2e%2e%2foauth"],
    ["absolute URL", "https://evil.example/x"],
    ["protocol-relative URL", "//evil.example"],
    ["query override", "crm.deal.list?auth=x"],
    ["fragment", "crm.deal.list#x"],
    ["encoded NUL", "crm%00.deal"],
    ["raw NUL", "crm\u0000.deal"],
    ["empty", ""],
    ["300 chars", `crm.${"a".repeat(296)}`],
    ["101 chars", `crm.${"a".repeat(97)}`],
    ["Cyrillic", "crm.сделка.list"],
    ["long s folding to s", "crm.deal.ſtart"],
    ["Kelvin sign folding to k", "crm.\u212Aey"],
    ["trailing newline", "crm.deal.list\n"],
    ["leading space", " crm.deal.list"],
    ["trailing dot", "crm.deal."],
    ["double dot", "crm..deal"],
    ["leading digit", "1crm.deal"],
    ["seven segments", "a.b.c.d.e.f.g"],
    ["unknown single word", "oauth"],
    ["slash", "crm/deal.list"],
    ["backslash", "crm\\deal.list"],
    ["dash", "crm.deal-list"],
  ])("rejects %s [#18]", (_label, name) => expect(isValidMethodName(name)).toBe(false));

  it("accepts exactly 100 characters", () => {
    expect(isValidMethodName(`crm.${"a".repeat(96)}`)).toBe(true);
  });

  it("rejects non-strings", () => {
    expect(isValidMethodName(undefined)).toBe(false);
    expect(isValidMethodName(42)).toBe(false);
  });
});

describe("parseBatchCommand", () => {
  it("parses PHP bracket syntax into nested objects and lists", () => {
    expect(parseBatchCommand("crm.deal.list?filter[>ID]=5&filter[STAGE_ID]=NEW&select[]=ID&select[]=TITLE&start=-1")).toEqual({
      method: "crm.deal.list",
      params: { filter: { ">ID": "5", STAGE_ID: "NEW" }, select: ["ID", "TITLE"], start: "-1" },
    });
    expect(parseBatchCommand("crm.deal.add?fields[PHONE][0][VALUE]=%2B1%20555&fields[TITLE]=a%26b")).toEqual({
      method: "crm.deal.add",
      params: { fields: { PHONE: [{ VALUE: "+1 555" }], TITLE: "a&b" } },
    });
    expect(parseBatchCommand("profile")).toEqual({ method: "profile", params: {} });
  });

  it("keeps $result references as literal values", () => {
    expect(parseBatchCommand("crm.deal.get?id=$result[c0][49][ID]").params).toEqual({ id: "$result[c0][49][ID]" });
  });

  it.each([
    ["__proto__ key", "crm.deal.list?__proto__[x]=1"],
    ["nested __proto__", "crm.deal.list?filter[__proto__][x]=1"],
    ["constructor", "crm.deal.list?filter[constructor][prototype][x]=1"],
    ["prototype", "crm.deal.list?prototype=1"],
    ["bad method", "../oauth/token?x=1"],
    ["URL as method", "https://evil.example/x?y=1"],
    ["auth override", "crm.deal.list?auth=stolen"],
    ["access_token override", "crm.deal.list?ACCESS_TOKEN=stolen"],
    ["unbalanced bracket", "crm.deal.list?filter[ID=1"],
    ["stray bracket", "crm.deal.list?filter]=1"],
    ["too deep", `crm.deal.list?a${"[x]".repeat(10)}=1`],
    ["empty", ""],
  ])("rejects %s", (_label, cmd) => expect(codeOf(() => parseBatchCommand(cmd))).toBe("bad_request"));

  it("does not pollute Object.prototype", () => {
    expect(() => parseBatchCommand("crm.deal.list?__proto__[polluted]=1")).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("round-trips through encodePhpQuery", () => {
    const params = { filter: { ">ID": "$result[c0][49][ID]", "@STAGE_ID": ["NEW", "WON"] }, select: ["ID"], start: -1, flag: true };
    const text = encodePhpQuery(params);
    expect(text).toContain("$result[c0][49][ID]");
    expect(parsePhpQuery(text)).toEqual({ filter: { ">ID": "$result[c0][49][ID]", "@STAGE_ID": ["NEW", "WON"] }, select: ["ID"], start: "-1", flag: "1" });
  });

  it("refuses keys that would change the bracket structure when encoding", () => {
    expect(codeOf(() => encodePhpQuery({ filter: { "a]": 1 } }))).toBe("bad_request");
    expect(codeOf(() => encodePhpQuery({ filter: JSON.parse('{"__proto__":{"x":1}}') }))).toBe("bad_request");
  });
});

/** The proxy's list: the app manifest's methods (bitrix24.app.ts). */
const PAGE_METHODS = Object.keys(manifest.methods);

describe("createMethodPolicy", () => {
  const policy = createMethodPolicy(PAGE_METHODS);

  it("allows the default read-mostly CRM methods", () => {
    for (const m of PAGE_METHODS.filter((x) => x !== "batch")) expect(codeOf(() => policy.check(m, {}))).toBe("no error");
    expect(codeOf(() => policy.check("CRM.DEAL.LIST", { filter: { ">ID": 1 } }))).toBe("no error");
  });

  it.each([
    ["event.bind", "method_not_allowed"],
    ["placement.bind", "method_not_allowed"],
    ["im.message.add", "method_not_allowed"],
    ["user.update", "method_not_allowed"],
    ["crm.deal.delete", "method_not_allowed"],
    ["../oauth/token", "bad_request"],
    ["//evil.example", "bad_request"],
  ])("refuses %s", (method, code) => expect(codeOf(() => policy.check(method, {}))).toBe(code));

  it("refuses credentials among the parameters", () => {
    expect(codeOf(() => policy.check("crm.deal.list", { auth: "x" }))).toBe("bad_request");
    expect(codeOf(() => policy.check("crm.deal.list", { access_token: "x" }))).toBe("bad_request");
  });

  it("allows a batch of allowed commands, as an object or a list", () => {
    expect(codeOf(() => policy.check("batch", { cmd: { a: "profile", b: "crm.deal.list?filter[>ID]=$result[a][ID]" } }))).toBe("no error");
    expect(codeOf(() => policy.check("batch", { cmd: ["server.time", "crm.deal.get?id=1"] }))).toBe("no error");
  });

  it.each([
    ["event.bind", { a: "profile", b: "event.bind?event=ONCRMDEALADD&handler=https%3A%2F%2Fevil.example%2F" }, "method_not_allowed"],
    ["placement.bind", ["placement.bind?PLACEMENT=CRM_DEAL_DETAIL_TAB&HANDLER=https://evil.example/"], "method_not_allowed"],
    ["im.message.add", { x: "im.message.add?DIALOG_ID=1&MESSAGE=x" }, "method_not_allowed"],
    ["upper-case smuggling", { x: "EVENT.BIND?event=x" }, "method_not_allowed"],
    ["nested batch", { x: "batch?cmd[y]=event.bind" }, "method_not_allowed"],
    ["traversal", { x: "../oauth/token?grant_type=refresh_token" }, "bad_request"],
    ["auth override", { x: "crm.deal.list?auth=other" }, "bad_request"],
    ["prototype pollution", { x: "crm.deal.list?filter[__proto__][a]=1" }, "bad_request"],
    ["non-string command", { x: { method: "event.bind" } }, "bad_request"],
    ["bracket in key", { "a]": "profile" }, "bad_request"],
    ["no commands", {}, "bad_request"],
    ["cmd not an object", "profile", "bad_request"],
    ["51 commands", Array.from({ length: 51 }, () => "profile"), "bad_request"],
  ])("refuses a batch with %s, before anything is sent [#19]", (_label, cmd, code) => {
    expect(codeOf(() => policy.check("batch", { cmd }))).toBe(code);
  });

  it("checks every command, not only the first", () => {
    const cmd = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`c${i}`, "profile"]));
    cmd.last = "event.bind?event=x";
    expect(codeOf(() => policy.check("batch", { cmd }))).toBe("method_not_allowed");
  });

  it("refuses batch itself when the allow-list leaves it out", () => {
    expect(codeOf(() => createMethodPolicy(["profile"]).check("batch", { cmd: ["profile"] }))).toBe("method_not_allowed");
  });
});
