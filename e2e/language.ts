import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type FrameLocator, type Page } from "@playwright/test";
import type { Locale } from "../lib/i18n/locales";

/**
 * "This page speaks <locale>": checked against the message catalogues, not against strings copied into the test.
 * UI text is every visible text node except data (elements marked translate="no": names, titles, hosts), text in
 * another language on purpose (an element with its own lang, e.g. the switcher's "English") and code.
 */
type Tree = { [key: string]: string | Tree };

/** Read from the JSON files (Playwright's loader cannot import JSON from an ES module without import attributes). */
function messagesFor(locale: Locale): Tree {
  const dir = fileURLToPath(new URL(`../lib/i18n/messages/${locale}/`, import.meta.url));
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), "utf8")) as Tree]));
}
const flat = (t: Tree): string[] => Object.values(t).flatMap((v) => (typeof v === "string" ? [v] : flat(v)));

/** The literal parts of a message (ICU arguments and tags cut out), long enough to mean something on their own. */
function fragments(message: string): string[] {
  return message
    .split(/\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|<\/?[A-Za-z0-9]+>/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 8 && /\p{L}{3,}.*\s.*\p{L}{3,}/u.test(s));
}

/** English fragments that the other catalogue does not also contain (product names, "OAuth"…). */
function englishOnly(locale: Locale): string[] {
  const other = flat(messagesFor(locale)).join("\n");
  return [...new Set(flat(messagesFor("en")).flatMap(fragments))].filter((f) => !other.includes(f));
}

/** Latin words the Russian catalogue itself uses (Bitrix24, OAuth, REST…): anything else Latin on a Russian page leaked. */
function latinInRussian(): Set<string> {
  return new Set(flat(messagesFor("ru")).flatMap((m) => m.match(/[A-Za-z][A-Za-z0-9]+/g) ?? []));
}

export async function uiText(root: Page | FrameLocator): Promise<string[]> {
  return root.locator("body").evaluate((body) => {
    const lang = document.documentElement.lang;
    const out: string[] = [];
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text) continue;
      if (el.closest('[translate="no"], code, kbd, samp, pre, script, style, noscript')) continue;
      const own = el.closest("[lang]");
      if (own && own.getAttribute("lang") !== lang) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      out.push(text);
    }
    return out;
  });
}

/** The page's lang attribute is `locale` and none of its UI text is English that has a translation. */
export async function expectSpeaks(root: Page | FrameLocator, locale: Locale, where: string): Promise<void> {
  await expect(root.locator("html"), `${where}: <html lang>`).toHaveAttribute("lang", locale);
  const text = (await uiText(root)).join("\n");
  expect(text.length, `${where}: some text`).toBeGreaterThan(0);
  if (locale === "en") return;
  const leaked = englishOnly(locale).filter((f) => text.includes(f));
  expect(leaked, `${where}: English messages left on a ${locale} page`).toEqual([]);
  if (locale === "ru") {
    const allowed = latinInRussian();
    const latin = [...new Set(text.match(/[A-Za-z][A-Za-z0-9]+/g) ?? [])].filter((w) => !allowed.has(w));
    expect(latin, `${where}: Latin words on a Russian page that are neither data nor in the Russian catalogue`).toEqual([]);
  }
}
