import { describe, expect, it } from "vitest";
import { redact, redactString, REDACTED } from "./redact";

describe("redaction", () => {
  it("scrubs credential keys anywhere in a structure, case-insensitively", () => {
    const out = redact({
      access_token: "a1",
      nested: { REFRESH_TOKEN: "r1", list: [{ client_secret: "s1" }], AUTH_ID: "x", ok: "visible" },
      auth: { application_token: "t" },
    });
    expect(JSON.stringify(out)).not.toMatch(/a1|r1|s1|"x"|"t"/);
    expect(out).toMatchObject({ nested: { ok: "visible" } });
  });

  it("scrubs key=value pairs in URLs and form bodies, and bearer tokens", () => {
    const s = redactString("GET /rest/x?auth=abc&code=def&other=1 refresh_token=ghi auth[application_token]=jkl Authorization: Bearer zzz");
    expect(s).not.toMatch(/abc|def|ghi|jkl|zzz/);
    expect(s).toContain("other=1");
    expect(s).toContain(REDACTED);
  });

  it("scrubs the same keys written as JSON inside a string", () => {
    const s = redactString(`saved: {"access_token":"a\\"1","x":1,"AUTH_ID" : "b2","expires_in":3600,"refresh_token":null}`);
    expect(s).not.toMatch(/a\\"1|b2|null/);
    expect(s).toContain('"x":1');
    expect(s).toContain('"expires_in":3600');
  });

  it("keeps error codes under `code` and redacts authorization codes", () => {
    const out = redact({
      a: { code: "invalid_grant" },
      b: { code: "QUERY_LIMIT_EXCEEDED" },
      c: { code: "needs_reauth" },
      d: { code: "internal" },
      e: { code: "0d1f8a3b9c2e47f6a5b4c3d2e1f0a9b8c7d6e5f40d1f8a3b9c2e47f6a5b4c3d2e1f0a9" },
      f: { code: "abc123def" },
      g: { code: { nested: "x" } },
      h: { code: "invalid grant; DROP" },
    }) as Record<string, { code: unknown }>;
    expect([out.a!.code, out.b!.code, out.c!.code, out.d!.code]).toEqual(["invalid_grant", "QUERY_LIMIT_EXCEEDED", "needs_reauth", "internal"]);
    expect([out.e!.code, out.f!.code, out.g!.code, out.h!.code]).toEqual([REDACTED, REDACTED, REDACTED, REDACTED]);
    expect(redactString("/api/auth/callback/bitrix24?code=invalid_grant&state=s")).not.toContain("invalid_grant");
  });

  it("reduces errors to name and scrubbed message", () => {
    expect(redact(new Error("failed ?client_secret=oops"))).toEqual({ name: "Error", message: `failed ?client_secret=${REDACTED}` });
  });
});
