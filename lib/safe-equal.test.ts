import * as crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { safeEqual } = await import("./safe-equal");

describe("safeEqual", () => {
  it("answers like equality", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
    expect(safeEqual("ä", "a")).toBe(false);
  });

  it("decides through timingSafeEqual over fixed-size digests, whatever the lengths (=== would fail this) [#25]", () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const pairs: Array<[string, string]> = [["short", "a much longer secret value"], ["same-length-1", "same-length-2"], ["x", "x"]];
    for (const [a, b] of pairs) safeEqual(a, b);
    expect(spy).toHaveBeenCalledTimes(pairs.length);
    for (const [x, y] of spy.mock.calls) {
      expect((x as Buffer).length).toBe(32);
      expect((y as Buffer).length).toBe(32);
    }
  });
});
