import { createFormatter } from "next-intl";
import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, parseAmount } from "./deal-format";

const errors: unknown[] = [];
const formatter = (locale: "en" | "ru" | "de") => createFormatter({ locale, timeZone: "UTC", onError: (e) => errors.push(e) });
const en = formatter("en");
const ru = formatter("ru");
const de = formatter("de");
const intl = (locale: string, currency: string, n: number) => new Intl.NumberFormat(locale, { style: "currency", currency }).format(n);

describe("formatMoney", () => {
  it("uses the page's language and the deal's own currency", () => {
    expect(formatMoney(en, "1234.50", "EUR")).toBe("€1,234.50");
    expect(formatMoney(en, "1234.5", "USD")).toBe("$1,234.50");
    expect(formatMoney(ru, "1234.50", "RUB")).toBe(intl("ru", "RUB", 1234.5));
    expect(formatMoney(de, "1234.50", "EUR")).toBe(intl("de", "EUR", 1234.5));
    expect(formatMoney(ru, 99, "USD")).toBe(intl("ru", "USD", 99));
  });

  it("groups and places the symbol each language's way (any space character Intl picks)", () => {
    expect(formatMoney(ru, "1234.50", "RUB")).toMatch(/^1\s234,50\s₽$/u);
    expect(formatMoney(de, "1234.50", "EUR")).toMatch(/^1\.234,50\s€$/u);
    expect(formatMoney(de, "1234567", "USD")).toMatch(/^1\.234\.567,00\s\$$/u);
  });

  it("keeps a currency's own decimals", () => {
    expect(formatMoney(en, "1234", "JPY")).toBe(intl("en", "JPY", 1234));
    expect(formatMoney(de, "1.5", "KWD")).toBe(intl("de", "KWD", 1.5));
  });

  it("shows a well-formed code Intl does not know as the code, and writes other ids after the number", () => {
    expect(formatMoney(en, "10", "xbt")).toBe(intl("en", "XBT", 10));
    expect(formatMoney(ru, "1234.5", "BTC2")).toMatch(/^1\s234,50 BTC2$/u);
    expect(formatMoney(en, "1234.5", "")).toBe("1,234.50");
    expect(formatMoney(de, "1234.5", null)).toBe("1.234,50");
  });

  it("a missing amount is zero; garbage is a dash, never an Intl error", () => {
    expect(formatMoney(en, null, "USD")).toBe("$0.00");
    expect(formatMoney(en, "abc", "USD")).toBe("—");
    expect(errors).toEqual([]);
  });
});

describe("formatDate", () => {
  it("formats Bitrix24's ISO dates in the page's language", () => {
    const at = "2026-03-05T10:00:00+03:00";
    expect(formatDate(en, at)).toBe("Mar 5, 2026");
    expect(formatDate(ru, at)).toBe(new Intl.DateTimeFormat("ru", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(at)));
    expect(formatDate(de, at)).toBe("05.03.2026");
  });

  it("an empty or broken date is a dash", () => {
    expect(formatDate(en, "")).toBe("—");
    expect(formatDate(en, "yesterday")).toBe("—");
    expect(errors).toEqual([]);
  });
});

describe("parseAmount", () => {
  it("takes a dot or a comma as the decimal separator", () => {
    expect(parseAmount("1500")).toBe("1500");
    expect(parseAmount(" 99.90 ")).toBe("99.90");
    expect(parseAmount("99,9")).toBe("99.9");
  });

  it("refuses anything else", () => {
    for (const bad of ["12,5,0", "1.234,50", "-5", "1e3", "0.123", "", "abc"]) expect(parseAmount(bad)).toBeNull();
  });
});
