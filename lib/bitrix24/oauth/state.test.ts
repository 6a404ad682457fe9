import { describe, expect, it } from "vitest";
import { bindState, openState } from "./state";

const key = Buffer.from("k".repeat(32));

describe("portal-bound state", () => {
  it("round-trips the state and the portal", () => {
    const bound = bindState("abcDEF123_-xyzxyzxyz", "acme.bitrix24.com", key);
    expect(openState(bound, key)).toEqual({ state: "abcDEF123_-xyzxyzxyz", host: "acme.bitrix24.com" });
  });
  it("refuses a changed portal, state, key or format", () => {
    const bound = bindState("abcDEF123_-xyzxyzxyz", "acme.bitrix24.com", key);
    const [s, h, m] = bound.split(".");
    expect(openState(`${s}.${Buffer.from("evil.bitrix24.com").toString("base64url")}.${m}`, key)).toBeNull();
    expect(openState(`other_state_value.${h}.${m}`, key)).toBeNull();
    expect(openState(bound, Buffer.from("z".repeat(32)))).toBeNull();
    expect(openState("plain-state", key)).toBeNull();
    expect(openState("", key)).toBeNull();
  });
});
