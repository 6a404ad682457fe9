import { NextResponse } from "next/server";
import { describe, expect, it } from "vitest";
import { authCookies } from "./auth-cookies";

/** auth cookies that survive the portal's third-party iframe. */
describe("authCookies", () => {
  it("over https: every cookie is __Host-, Secure, HttpOnly, SameSite=None, Partitioned, Path=/ [#10]", () => {
    const cookies = authCookies("https://app.example.com");
    expect(Object.keys(cookies).sort()).toEqual(["callbackUrl", "csrfToken", "nonce", "pkceCodeVerifier", "sessionToken", "state"]);
    for (const c of Object.values(cookies)) {
      expect(c.name).toMatch(/^__Host-next-auth\./);
      expect(c.options).toMatchObject({ httpOnly: true, secure: true, sameSite: "none", partitioned: true, path: "/" });
      expect(c.options).not.toHaveProperty("domain");
    }
  });

  it("serialises to a Set-Cookie line the browser accepts inside a cross-site frame [#10]", () => {
    const { name, options } = authCookies("https://app.example.com").sessionToken;
    const res = new NextResponse(null);
    res.cookies.set(name, "v", options);
    const line = res.headers.get("set-cookie") ?? "";
    expect(line).toMatch(/^__Host-next-auth\.session-token=v;/);
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=none/i);
    expect(line).toMatch(/; Partitioned/i);
    expect(line).toMatch(/; Path=\//);
  });

  it("over plain-http loopback: next-auth's own defaults (no Secure, Lax, no prefix)", () => {
    const cookies = authCookies("http://127.0.0.1:3000");
    expect(cookies.sessionToken).toEqual({ name: "next-auth.session-token", options: { httpOnly: true, sameSite: "lax", path: "/", secure: false } });
    expect(cookies.csrfToken.name).toBe("next-auth.csrf-token");
    for (const c of Object.values(cookies)) expect(c.options).not.toHaveProperty("partitioned");
  });
});
