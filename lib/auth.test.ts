import { describe, expect, it } from "vitest";
import { safeRedirect } from "./auth";

const base = "https://app.example.com";

describe("safeRedirect", () => {
  it.each([
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\/\\/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "%",
    "http://app.example.com/x",
    "https://app.example.com.evil.example/",
    "https://app.example.com@evil.example/",
  ])("keeps %j on our origin [#6]", (url) => {
    expect(new URL(safeRedirect(url, base)).origin).toBe(base);
  });
  it("survives a 4 KB string and unicode dots [#6]", () => {
    expect(new URL(safeRedirect("/".padEnd(4096, "a"), base)).origin).toBe(base);
    expect(new URL(safeRedirect("https://evil。example", base)).origin).toBe(base);
  });
  it("keeps same-origin paths", () => {
    expect(safeRedirect("/dashboard", base)).toBe(`${base}/dashboard`);
    expect(safeRedirect(`${base}/dashboard?x=1`, base)).toBe(`${base}/dashboard?x=1`);
  });
});
