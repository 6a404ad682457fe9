import { describe, expect, it } from "vitest";
import { B24Error } from "@/lib/errors";
import { errorPage } from "./responses";

describe("errorPage", () => {
  it("says what happened and what to do in the reader's language, the server's words as a detail", async () => {
    const res = errorPage(new B24Error("portal_uninstalled", "The app was uninstalled from this portal."), "ru");
    expect(res.status).toBe(410);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain("Не удалось подключиться к Битрикс24");
    expect(html).toContain('data-error="portal_uninstalled"');
    expect(html).toContain("Приложение не установлено");
    expect(html).toContain('Подробности: <span translate="no">The app was uninstalled from this portal.</span>');
  });

  it("keeps the English heading and leaves out a detail that only repeats the text", async () => {
    const html = await errorPage(new Error("boom"), "en").text();
    expect(html).toContain("Cannot connect to Bitrix24");
    expect(html).toContain("Something went wrong. Try again later.");
    expect(html).not.toContain("Details:");
    expect(html).not.toContain("boom");
  });

  it("escapes the server's message", async () => {
    const html = await errorPage(new B24Error("bad_request", 'The parameter "<script>" is not allowed.'), "de").text();
    expect(html).toContain("&quot;&lt;script&gt;&quot;");
    expect(html).not.toContain("<script>");
  });
});

describe("errorPage in another language", () => {
  it("leaves out a generic English message the localised text already says", async () => {
    const html = await errorPage(new Error("boom"), "de").text();
    expect(html).toContain("Etwas ist schiefgelaufen. Versuchen Sie es später erneut.");
    expect(html).not.toContain("Details:");
  });
});
