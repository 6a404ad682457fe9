import { describe, expect, it } from "vitest";
import { localeCookie } from "./cookie";
import { matchLocale, negotiateLocale } from "./locales";

describe("matchLocale", () => {
  it("takes Bitrix24's LANG and browser tags by their primary subtag", () => {
    expect(matchLocale("ru")).toBe("ru");
    expect(matchLocale("de-AT")).toBe("de");
    expect(matchLocale("EN_us")).toBe("en");
  });

  it("does not match Bitrix24 codes the app does not speak, nor junk", () => {
    for (const tag of ["ua", "br", "la", "sc", "", "x", "<script>", null, undefined]) expect(matchLocale(tag)).toBeNull();
  });
});

describe("negotiateLocale", () => {
  it("follows quality values, then the header's order", () => {
    expect(negotiateLocale("fr-FR,fr;q=0.9,de;q=0.8,en;q=0.7")).toBe("de");
    expect(negotiateLocale("en;q=0.5, ru")).toBe("ru");
    expect(negotiateLocale("de, ru")).toBe("de");
  });

  it("skips q=0 and unsupported languages; nothing usable is null", () => {
    expect(negotiateLocale("ru;q=0, de;q=0.1")).toBe("de");
    expect(negotiateLocale("fr, it")).toBeNull();
    expect(negotiateLocale("")).toBeNull();
    expect(negotiateLocale(null)).toBeNull();
  });
});

describe("localeCookie", () => {
  it("over https it can cross into the portal's frame like the session cookie", () => {
    expect(localeCookie("https://app.example.com")).toMatchObject({ name: "__Host-b24.locale", options: { secure: true, sameSite: "none", partitioned: true, path: "/" } });
  });

  it("over plain-http loopback it is a lax cookie", () => {
    expect(localeCookie("http://127.0.0.1:3000")).toMatchObject({ name: "b24.locale", options: { secure: false, sameSite: "lax" } });
  });
});
