import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
vi.mock("react", async (orig) => ({ ...(await orig<object>()), cache: <T>(fn: T) => fn }));
const jar = new Map<string, string>();
const head = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (n: string) => (jar.has(n) ? { name: n, value: jar.get(n) } : undefined) }),
  headers: async () => ({ get: (n: string) => head.get(n) ?? null }),
}));
vi.mock("@/lib/env", () => ({ env: () => ({ NEXTAUTH_URL: "http://127.0.0.1:3000" }) }));
vi.mock("@/lib/auth", () => ({ getPortalSession: vi.fn() }));
vi.mock("@/lib/bitrix24/store/users", () => ({ findLanguages: vi.fn() }));

const { getPortalSession } = await import("@/lib/auth");
const { findLanguages } = await import("@/lib/bitrix24/store/users");
const { localeOfRequest, requestLocale } = await import("./resolve");

const session = { memberId: "m1", portalHost: "p", bitrixUserId: 7, isAdmin: false, name: "x" };

describe("requestLocale: which language a page gets", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    jar.clear();
    head.clear();
    vi.mocked(getPortalSession).mockResolvedValue(null);
    vi.mocked(findLanguages).mockResolvedValue({ user: null, portal: null });
  });

  it("the cookie (the portal's LANG or the switcher) wins over everything", async () => {
    jar.set("b24.locale", "de");
    head.set("accept-language", "ru");
    vi.mocked(getPortalSession).mockResolvedValue(session);
    vi.mocked(findLanguages).mockResolvedValue({ user: "ru", portal: "ru" });
    expect(await requestLocale()).toBe("de");
  });

  it("signed in without a cookie: the person's stored language, then Accept-Language, then the portal's", async () => {
    vi.mocked(getPortalSession).mockResolvedValue(session);
    vi.mocked(findLanguages).mockResolvedValue({ user: "ru", portal: "de" });
    head.set("accept-language", "de");
    expect(await requestLocale()).toBe("ru");
    expect(findLanguages).toHaveBeenCalledWith("m1", 7);

    vi.mocked(findLanguages).mockResolvedValue({ user: "ua", portal: "ru" });
    expect(await requestLocale()).toBe("de");

    head.set("accept-language", "fr-FR, it");
    expect(await requestLocale()).toBe("ru");
  });

  it("signed out: Accept-Language, else English; a junk cookie is ignored and nothing is read from the database", async () => {
    jar.set("b24.locale", "xx");
    head.set("accept-language", "ru-RU,ru;q=0.9");
    expect(await requestLocale()).toBe("ru");
    head.set("accept-language", "fr");
    expect(await requestLocale()).toBe("en");
    expect(findLanguages).not.toHaveBeenCalled();
  });
});

describe("localeOfRequest: a route handler's own answer", () => {
  it("reads the cookie, then Accept-Language", () => {
    const req = (h: Record<string, string>) => new Request("http://127.0.0.1:3000/api/b24/app", { headers: h });
    expect(localeOfRequest(req({ cookie: "a=1; b24.locale=ru", "accept-language": "de" }))).toBe("ru");
    expect(localeOfRequest(req({ "accept-language": "de-AT" }))).toBe("de");
    expect(localeOfRequest(req({}))).toBe("en");
  });
});
