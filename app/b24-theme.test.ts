import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("./b24-theme.css", import.meta.url), "utf8");
type Theme = "light" | "dark";

/** `--b24-x: var(--b24-light, L) var(--b24-dark, D)` or a single value for both themes. */
const tokens = new Map<string, Record<Theme, string>>();
for (const m of css.matchAll(/^\s*(--b24-[\w-]+):\s*var\(--b24-light,\s*(#[0-9a-f]{6})\)\s*var\(--b24-dark,\s*(#[0-9a-f]{6})\);/gim)) {
  tokens.set(m[1]!, { light: m[2]!, dark: m[3]! });
}
for (const m of css.matchAll(/^\s*(--b24-[\w-]+):\s*(#[0-9a-f]{6});/gim)) tokens.set(m[1]!, { light: m[2]!, dark: m[2]! });

/** Tailwind colour name → the token it reads (`--color-x: var(--b24-y)` inside @theme, not the scoped rules). */
const themeBlock = /@theme\s*\{([^}]*)\}/.exec(css)?.[1] ?? "";
const aliases = new Map<string, string>();
for (const m of themeBlock.matchAll(/^\s*--color-([\w-]+):\s*var\((--b24-[\w-]+)\);/gm)) aliases.set(m[1]!, m[2]!);

function colour(name: string, theme: Theme): string {
  const token = aliases.get(name);
  if (!token) throw new Error(`no --color-${name} in b24-theme.css`);
  const value = tokens.get(token);
  if (!value) throw new Error(`${token} (for ${name}) has no light/dark hex values`);
  return value[theme];
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Text colour on background, as Tailwind colour names: the pairs pages and components/ui use. */
const textPairs: [string, string][] = [
  ...["base-1", "base-2", "base-3"].flatMap((fg) =>
    ["canvas", "surface", "surface-secondary", "surface-tertiary", "base-7", "divider-accent"].map((bg): [string, string] => [fg, bg]),
  ),
  ["link", "canvas"], ["link", "surface"], ["link", "selection"], ["link", "info-soft"],
  ["on-accent", "accent"], ["on-accent", "accent-hover"],
  ...(["success", "warning", "alert", "info"] as const).flatMap((s) =>
    [`${s}-soft`, "surface", "canvas"].map((bg): [string, string] => [`${s}-content`, bg]),
  ),
  // The existing pages' own pairs, through the remapped palette.
  ["slate-500", "slate-50"], ["slate-500", "white"], ["slate-600", "white"], ["slate-700", "slate-100"],
  ["slate-900", "slate-200"], ["brand-700", "brand-50"], ["brand-700", "brand-100"], ["brand-600", "slate-50"],
  ["red-700", "red-50"], ["red-800", "red-50"], ["red-800", "red-100"], ["red-600", "white"],
  ["emerald-700", "emerald-50"], ["amber-700", "white"], ["amber-800", "amber-50"],
];

describe("b24-theme.css", () => {
  it("defines a light and a dark value for every colour token the utilities read", () => {
    expect(aliases.size).toBeGreaterThan(60);
    for (const name of aliases.keys()) for (const theme of ["light", "dark"] as const) expect(colour(name, theme)).toMatch(/^#/);
  });

  for (const theme of ["light", "dark"] as const) {
    it.each(textPairs)(`${theme}: text-%s on bg-%s reaches 4.5:1`, (fg, bg) => {
      expect(contrast(colour(fg, theme), colour(bg, theme))).toBeGreaterThanOrEqual(4.5);
    });
  }

  it("keeps white text white and brand fills on the accent where pages use them under white text", () => {
    expect(css).toMatch(/\.text-white\s*\{\s*--color-white:\s*var\(--b24-white-fixed\);/);
    expect(css).toMatch(/\.bg-brand-600,\s*\.hover\\:bg-brand-700\s*\{\s*--color-brand-600:\s*var\(--b24-accent\);\s*--color-brand-700:\s*var\(--b24-accent-hover\);/);
    for (const theme of ["light", "dark"] as const) {
      expect(contrast("#ffffff", tokens.get("--b24-accent")![theme])).toBeGreaterThanOrEqual(4.5);
      expect(contrast("#ffffff", tokens.get("--b24-accent-hover")![theme])).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("switches to dark by system preference unless forced light, and by data-theme", () => {
    expect(css).toMatch(/@media \(prefers-color-scheme: dark\)\s*\{\s*:root:not\(\[data-theme="light"\]\)\s*\{\s*--b24-light: ;\s*--b24-dark: initial;/);
    expect(css).toMatch(/:root\[data-theme="dark"\]\s*\{\s*--b24-light: ;\s*--b24-dark: initial;/);
  });
});
