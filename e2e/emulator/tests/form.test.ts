import { describe, expect, it } from "vitest";
import { encodeBracket, parseQueryString } from "../form";

describe("PHP bracket parameters", () => {
  it("parses nested keys, appends and sequential arrays", () => {
    expect(parseQueryString("fields[TITLE]=a&fields[PHONE][0][VALUE]=1&select[]=ID&select[]=TITLE&filter[%3EID]=5")).toEqual({
      fields: { TITLE: "a", PHONE: [{ VALUE: "1" }] },
      select: ["ID", "TITLE"],
      filter: { ">ID": "5" },
    });
  });

  it("drops prototype-polluting keys", () => {
    const parsed = parseQueryString("__proto__[polluted]=1&a[constructor][prototype][x]=1&ok=1");
    expect(parsed).toEqual({ ok: "1" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("encodes like http_build_query and round-trips", () => {
    const data = { event: "X", data: { FIELDS: { ID: 5 } }, list: ["a", "b"], flag: true, none: null };
    const qs = encodeBracket(data).toString();
    expect(qs).toBe("event=X&data%5BFIELDS%5D%5BID%5D=5&list%5B0%5D=a&list%5B1%5D=b&flag=1");
    expect(parseQueryString(qs)).toEqual({ event: "X", data: { FIELDS: { ID: "5" } }, list: ["a", "b"], flag: "1" });
  });
});
