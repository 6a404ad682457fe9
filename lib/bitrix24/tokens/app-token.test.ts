import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appTokenMatches, sealAppToken } from "./app-token";

const ring = { keys: [{ kid: "k1", key: randomBytes(32) }] };
const M = "a223c6b3710f85df22e9377d6c4f7553";
const TOKEN = "51856fefc120afa4b628cc82d3935cce";

describe("application_token", () => {
  it("matches only the exact token of that portal [#25]", () => {
    const stored = sealAppToken(M, TOKEN, ring);
    expect(stored).not.toContain(TOKEN);
    expect(appTokenMatches(M, stored, TOKEN, ring)).toBe(true);
    expect(appTokenMatches(M, stored, TOKEN.slice(0, -1) + "f", ring)).toBe(false);
    expect(appTokenMatches(M, stored, TOKEN + "0", ring)).toBe(false);
    expect(appTokenMatches(M, stored, "", ring)).toBe(false);
    expect(appTokenMatches(M, stored, undefined, ring)).toBe(false);
    expect(appTokenMatches(M, stored, ["x"], ring)).toBe(false);
    expect(appTokenMatches(M, null, TOKEN, ring)).toBe(false);
    expect(appTokenMatches("ffff" + M.slice(4), stored, TOKEN, ring)).toBe(false);
  });
});
