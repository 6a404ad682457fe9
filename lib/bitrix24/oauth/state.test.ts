import { describe, expect, it } from "vitest";
import { bindState, openState } from "./state";

const key = Buffer.from("k".repeat(32));
const binding = { host: "acme.bitrix24.com", server: "https://oauth.bitrix.info" };

describe("portal-bound state", () => {
  it("round-trips the state, the portal and the OAuth server", () => {
    const bound = bindState("abcDEF123_-xyzxyzxyz", binding, key);
    expect(openState(bound, key)).toEqual({ state: "abcDEF123_-xyzxyzxyz", ...binding });
  });
  it("refuses a changed portal, server, state, key or format", () => {
    const bound = bindState("abcDEF123_-xyzxyzxyz", binding, key);
    const [s, h, m] = bound.split(".");
    const forged = (text: string) => `${s}.${Buffer.from(text).toString("base64url")}.${m}`;
    expect(openState(forged("evil.bitrix24.com https://oauth.bitrix.info"), key)).toBeNull();
    expect(openState(forged("acme.bitrix24.com https://oauth.bitrix24.tech"), key)).toBeNull();
    expect(openState(forged("acme.bitrix24.com"), key)).toBeNull();
    expect(openState(`other_state_value.${h}.${m}`, key)).toBeNull();
    expect(openState(bound, Buffer.from("z".repeat(32)))).toBeNull();
    expect(openState("plain-state", key)).toBeNull();
    expect(openState("", key)).toBeNull();
  });
});
