import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { authCookies } from "./auth-cookies";
import { refuseUnverifiedSignIn } from "./sign-in-guard";

// next-auth's own CSRF minting (not in its package exports): the cookie the guard accepts is exactly the one it sets.
const require = createRequire(import.meta.url);
const { createCSRFToken } = require(join(dirname(require.resolve("next-auth")), "core/lib/csrf-token.js")) as {
  createCSRFToken(a: { options: { secret: string }; isPost: boolean }): { cookie?: string; csrfToken: string };
};

const secret = "unit-nextauth-secret-0123456789abcdef";
const csrfCookie = authCookies("https://app.example.com").csrfToken.name;
const opts = { secret, csrfCookie };
const START = "https://app.example.com/api/auth/signin/bitrix24?portal=x.bitrix24.com";

function minted() {
  const { cookie, csrfToken } = createCSRFToken({ options: { secret }, isPost: false });
  // next-auth serialises the value URL-encoded ("|" → %7C); the guard reads the raw header.
  return { header: `other=1; ${csrfCookie}=${encodeURIComponent(cookie!)}`, token: csrfToken };
}

function post(body: string, type: string, cookie?: string): Request {
  const headers: Record<string, string> = { "content-type": type };
  if (cookie) headers.cookie = cookie;
  return new Request(START, { method: "POST", headers, body });
}

const signin = ["signin", "bitrix24"];

describe("refuseUnverifiedSignIn", () => {
  it("a GET sign-in start answers 403, with or without a CSRF cookie and token [#8]", async () => {
    const { header, token } = minted();
    for (const req of [new Request(START), new Request(`${START}&csrfToken=${token}`, { headers: { cookie: header } })]) {
      const res = await refuseUnverifiedSignIn(req, signin, opts);
      expect(res?.status).toBe(403);
      expect(res?.headers.get("location")).toBeNull();
    }
  });

  it("a POST sign-in start without a valid CSRF token answers 403 [#8]", async () => {
    const { header, token } = minted();
    const forged = createCSRFToken({ options: { secret: "another-secret-entirely-0123456789" }, isPost: false });
    const cases = [
      post(`csrfToken=${token}`, "application/x-www-form-urlencoded"), // no cookie
      post("callbackUrl=%2F", "application/x-www-form-urlencoded", header), // no token
      post(`csrfToken=${"0".repeat(64)}`, "application/x-www-form-urlencoded", header), // wrong token
      post(`csrfToken=${forged.csrfToken}`, "application/x-www-form-urlencoded", `${csrfCookie}=${encodeURIComponent(forged.cookie!)}`), // other secret
      post(`csrfToken=${token}`, "text/plain", header), // a body next-auth would not read
      post("{", "application/json", header),
    ];
    for (const req of cases) expect((await refuseUnverifiedSignIn(req, signin, opts))?.status).toBe(403);
  });

  it("the app's own POST with next-auth's token passes, and next-auth can still read the body", async () => {
    const { header, token } = minted();
    const form = post(new URLSearchParams({ csrfToken: token, callbackUrl: "/dashboard", json: "true" }).toString(), "application/x-www-form-urlencoded", header);
    expect(await refuseUnverifiedSignIn(form, signin, opts)).toBeNull();
    expect(new URLSearchParams(await form.text()).get("csrfToken")).toBe(token);
    const json = post(JSON.stringify({ csrfToken: token }), "application/json", header);
    expect(await refuseUnverifiedSignIn(json, signin, opts)).toBeNull();
  });

  it("other next-auth routes pass through untouched", async () => {
    for (const route of [["csrf"], ["signin"], ["callback", "bitrix24"], ["session"], ["signout"], ["providers"]]) {
      expect(await refuseUnverifiedSignIn(new Request("https://app.example.com/api/auth/x"), route, opts)).toBeNull();
    }
  });
});
