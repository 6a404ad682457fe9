import { describe, expect, it } from "vitest";
import { EnvError, parseServerEnv } from "./env";

const KEY = Buffer.alloc(32, 7).toString("base64");
const valid = {
  NEXTAUTH_URL: "https://app.example.com",
  NEXTAUTH_SECRET: "x".repeat(40),
  B24_CLIENT_ID: "app.123",
  B24_CLIENT_SECRET: "secret",
  TOKEN_ENCRYPTION_KEYS: `k1:${KEY}`,
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseServerEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).problems;
  }
  throw new Error("expected the environment to be rejected");
}

describe("parseServerEnv", () => {
  it("applies documented defaults", () => {
    const env = parseServerEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./data/dev.db");
    expect(env.B24_OAUTH_SERVER).toBe("https://oauth.bitrix.info");
    expect(env.B24_ALLOW_HTTP_LOOPBACK).toBe(false);
    expect(env.TOKEN_ENCRYPTION_KEYS).toEqual([{ kid: "k1", key: Buffer.alloc(32, 7) }]);
    expect(new RegExp(env.B24_PORTAL_HOSTS).test("acme.bitrix24.com")).toBe(true);
  });

  it("names every missing variable at once, with how to fix it", () => {
    const list = problems({});
    for (const name of ["NEXTAUTH_URL", "NEXTAUTH_SECRET", "B24_CLIENT_ID", "B24_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEYS"]) {
      expect(list.some((p) => p.includes(name))).toBe(true);
    }
    expect(list.find((p) => p.includes("B24_CLIENT_ID"))).toMatch(/developer account/);
    expect(list.find((p) => p.includes("TOKEN_ENCRYPTION_KEYS"))).toMatch(/npm run keys:new/);
  });

  it("treats empty strings as missing", () => {
    expect(problems({ ...valid, B24_CLIENT_SECRET: "" }).join()).toMatch(/B24_CLIENT_SECRET is missing/);
  });

  it("METRICS_TOKEN is optional (no endpoint) and, when set, at least 24 visible characters, named with the fix", () => {
    expect(parseServerEnv(valid).METRICS_TOKEN).toBeUndefined();
    expect(parseServerEnv({ ...valid, METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
    expect(parseServerEnv({ ...valid, METRICS_TOKEN: "m".repeat(24) }).METRICS_TOKEN).toBe("m".repeat(24));
    for (const bad of ["short-token", `${"m".repeat(24)} x`]) {
      const text = problems({ ...valid, METRICS_TOKEN: bad }).join();
      expect(text).toMatch(/METRICS_TOKEN must be at least 24 visible characters/);
      expect(text).not.toContain(bad);
    }
  });

  it("rejects a short NEXTAUTH_SECRET and a bad key ring", () => {
    expect(problems({ ...valid, NEXTAUTH_SECRET: "short" }).join()).toMatch(/NEXTAUTH_SECRET must be at least 32/);
    expect(problems({ ...valid, TOKEN_ENCRYPTION_KEYS: "k1:c2hvcnQ=" }).join()).toMatch(/32 random bytes/);
    expect(problems({ ...valid, TOKEN_ENCRYPTION_KEYS: `k1:${KEY},k1:${KEY}` }).join()).toMatch(/key id twice/);
  });

  it("rejects unknown database schemes, naming DATABASE_URL", () => {
    expect(problems({ ...valid, DATABASE_URL: "mysql://x" }).join()).toMatch(/DATABASE_URL must start with file:/);
  });

  it("refuses plain http unless opted in, and even then only for loopback", () => {
    const local = { ...valid, NEXTAUTH_URL: "http://127.0.0.1:3000", B24_OAUTH_SERVER: "http://127.0.0.1:7000" };
    expect(problems(local).join()).toMatch(/B24_ALLOW_HTTP_LOOPBACK=1/);
    expect(parseServerEnv({ ...local, B24_ALLOW_HTTP_LOOPBACK: "1" }).B24_OAUTH_SERVER).toBe("http://127.0.0.1:7000");
    expect(problems({ ...local, B24_ALLOW_HTTP_LOOPBACK: "1", B24_OAUTH_SERVER: "http://oauth.example.com" }).join()).toMatch(
      /B24_OAUTH_SERVER must use https:\/\/; plain http:\/\/ is allowed only for a loopback host/,
    );
  });

  it("pins B24_OAUTH_SERVER to Bitrix24's OAuth servers (checklist item 5); the loopback emulator only under the opt-in [#5][#9]", () => {
    for (const server of ["https://oauth.bitrix.info", "https://oauth.bitrix24.tech/", "https://oauth.bitrix.info/"]) {
      expect(() => parseServerEnv({ ...valid, B24_OAUTH_SERVER: server })).not.toThrow();
    }
    for (const server of ["https://oauth.example.com", "https://oauth.bitrix.info.evil.example", "https://evil.example/oauth.bitrix.info", "https://oauth.bitrix.info/rest/", "https://oauth.bitrix.info:8443"]) {
      expect(problems({ ...valid, B24_OAUTH_SERVER: server }).join()).toMatch(/B24_OAUTH_SERVER must be one of Bitrix24's OAuth servers: https:\/\/oauth\.bitrix\.info or https:\/\/oauth\.bitrix24\.tech/);
    }
    expect(problems({ ...valid, B24_OAUTH_SERVER: "https://127.0.0.1:7000" }).join()).toMatch(/must be one of Bitrix24's OAuth servers/);
    expect(() => parseServerEnv({ ...valid, B24_ALLOW_HTTP_LOOPBACK: "1", B24_OAUTH_SERVER: "https://127.0.0.1:7000" })).not.toThrow();
  });

  describe("B24_OAUTH_SERVERS (further regions, each with its own credentials)", () => {
    it("is empty by default and parses origin|client_id|client_secret entries; left-out credentials stay undefined", () => {
      expect(parseServerEnv(valid).B24_OAUTH_SERVERS).toEqual([]);
      const env = parseServerEnv({ ...valid, B24_OAUTH_SERVERS: " https://oauth.bitrix24.tech/ | app.east | east-secret " });
      expect(env.B24_OAUTH_SERVERS).toEqual([{ origin: "https://oauth.bitrix24.tech", clientId: "app.east", clientSecret: "east-secret" }]);
      expect(parseServerEnv({ ...valid, B24_OAUTH_SERVERS: "https://oauth.bitrix24.tech|app.east" }).B24_OAUTH_SERVERS).toEqual([
        { origin: "https://oauth.bitrix24.tech", clientId: "app.east", clientSecret: undefined },
      ]);
      expect(parseServerEnv({ ...valid, B24_OAUTH_SERVER: "https://oauth.bitrix24.tech", B24_OAUTH_SERVERS: "https://oauth.bitrix.info" }).B24_OAUTH_SERVERS).toEqual([
        { origin: "https://oauth.bitrix.info", clientId: undefined, clientSecret: undefined },
      ]);
    });

    it.each([
      ["https://oauth.example.com|app.x|s", /B24_OAUTH_SERVERS entry 1 \(https:\/\/oauth\.example\.com\) must be one of Bitrix24's OAuth servers/],
      ["https://oauth.bitrix24.tech.evil.example|app.x|s", /B24_OAUTH_SERVERS entry 1 .* must be one of Bitrix24's OAuth servers/],
      ["http://oauth.bitrix24.tech|app.x|s", /B24_OAUTH_SERVERS entry 1 .* must be one of Bitrix24's OAuth servers/],
      ["https://oauth.bitrix24.tech:8443|app.x|s", /B24_OAUTH_SERVERS entry 1 .* must be one of Bitrix24's OAuth servers/],
      ["http://127.0.0.1:7100|app.x|s", /B24_OAUTH_SERVERS entry 1 .*needs B24_ALLOW_HTTP_LOOPBACK=1/],
      ["https://oauth.bitrix.info|app.x|s", /B24_OAUTH_SERVERS entry 1 \(https:\/\/oauth\.bitrix\.info\) repeats a server already configured/],
      ["https://oauth.bitrix24.tech|a|s,https://oauth.bitrix24.tech|b|t", /B24_OAUTH_SERVERS entry 2 .* repeats a server/],
      ["https://oauth.bitrix24.tech/rest/|app.x|s", /B24_OAUTH_SERVERS entry 1 must be <OAuth server origin>\|<client_id>\|<client_secret>/],
      ["oauth.bitrix24.tech|app.x|s", /B24_OAUTH_SERVERS entry 1 must be/],
      ["https://oauth.bitrix24.tech|app.x|s|extra", /B24_OAUTH_SERVERS entry 1 must be/],
      ["https://oauth.bitrix24.tech||s", /B24_OAUTH_SERVERS entry 1 must be/],
      ["https://oauth.bitrix24.tech|app.x|s,ftp://x", /B24_OAUTH_SERVERS entry 2 must be/],
    ])("refuses %s, naming the variable and the entry", (value, message) => {
      const list = problems({ ...valid, B24_OAUTH_SERVERS: value });
      expect(list.join("\n")).toMatch(message);
      expect(list.every((p) => p.includes("B24_OAUTH_SERVERS") || !p.includes("entry"))).toBe(true);
    });

    it("never repeats a secret in its messages", () => {
      const list = problems({ ...valid, B24_OAUTH_SERVERS: "https://oauth.bitrix24.tech/x|app.x|SECRET-CANARY-42" });
      expect(list.join()).not.toContain("SECRET-CANARY-42");
    });

    it("accepts a loopback emulator only under the opt-in", () => {
      const local = { ...valid, NEXTAUTH_URL: "http://127.0.0.1:3000", B24_OAUTH_SERVER: "http://127.0.0.1:7000", B24_ALLOW_HTTP_LOOPBACK: "1" };
      expect(parseServerEnv({ ...local, B24_OAUTH_SERVERS: "http://127.0.0.1:7100|app.two|two-secret" }).B24_OAUTH_SERVERS).toEqual([
        { origin: "http://127.0.0.1:7100", clientId: "app.two", clientSecret: "two-secret" },
      ]);
      expect(problems({ ...local, B24_OAUTH_SERVERS: "http://127.0.0.1:7000|app.two|two-secret" }).join()).toMatch(/repeats a server/);
    });
  });

  it("rejects an invalid B24_PORTAL_HOSTS pattern", () => {
    expect(problems({ ...valid, B24_PORTAL_HOSTS: "([" }).join()).toMatch(/B24_PORTAL_HOSTS must be a valid regular expression/);
  });
});
