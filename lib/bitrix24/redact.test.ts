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

  it("reduces errors to name and scrubbed message", () => {
    expect(redact(new Error("failed ?client_secret=oops"))).toEqual({ name: "Error", message: `failed ?client_secret=${REDACTED}` });
  });
});
