import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { LOCALES } from "./locales";
import { messagesFor } from "./messages";

const root = join(__dirname, "..", "..");

type Tree = { [key: string]: string | Tree };
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(path, v);
    else for (const [kk, vv] of flatten(v, path)) out.set(kk, vv);
  }
  return out;
}

/** ICU argument names ({name}, {count, plural, …}, <tag>…</tag>): a translation must use the same ones. */
function icuArguments(message: string): string[] {
  const args = [...message.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*[,}]/g)].map((m) => m[1]!);
  const tags = [...message.matchAll(/<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => `<${m[1]}>`);
  return [...new Set([...args, ...tags])].sort();
}

const english = flatten(messagesFor("en") as unknown as Tree);

describe("message catalogues", () => {
  it("English has messages", () => {
    expect(english.size).toBeGreaterThan(0);
  });

  for (const locale of LOCALES.filter((l) => l !== "en")) {
    it(`${locale}: the same keys as English, none empty, the same ICU arguments`, () => {
      const other = flatten(messagesFor(locale) as unknown as Tree);
      const missing = [...english.keys()].filter((k) => !other.has(k));
      const extra = [...other.keys()].filter((k) => !english.has(k));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      const empty = [...other].filter(([, v]) => !v.trim()).map(([k]) => k);
      expect(empty).toEqual([]);
      const mismatched = [...english].filter(([k, v]) => icuArguments(v).join() !== icuArguments(other.get(k)!).join()).map(([k]) => k);
      expect(mismatched).toEqual([]);
    });
  }

  it("no English message is empty", () => {
    expect([...english].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });
});

/** Attributes a person reads or hears: their text must come from the messages too. */
const SPOKEN_ATTRIBUTES = new Set(["aria-label", "aria-description", "aria-valuetext", "aria-roledescription", "title", "alt", "placeholder", "label"]);
/** Elements whose text is code a person types (variable names, commands): never translated. */
const CODE_ELEMENTS = new Set(["code", "kbd", "samp", "pre"]);
const hasLetter = (s: string) => /\p{L}/u.test(s);

function tsxFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".tsx") && !e.name.includes(".test."))
    .map((e) => join(e.parentPath, e.name));
}

function enclosingTag(node: ts.Node): string | null {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isJsxElement(p)) return p.openingElement.tagName.getText();
  }
  return null;
}

/** JSX text and spoken attributes written as literals in app/ and components/: each one bypasses the messages. */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const where = (n: ts.Node) => `${relative(root, file)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasLetter(node.text) && !CODE_ELEMENTS.has(enclosingTag(node) ?? "")) {
      found.push(`${where(node)} text "${node.text.trim().slice(0, 40)}"`);
    } else if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteralLike(node.expression) && ts.isJsxElement(node.parent) && hasLetter(node.expression.text)) {
      if (!CODE_ELEMENTS.has(enclosingTag(node) ?? "")) found.push(`${where(node)} text {"${node.expression.text.slice(0, 40)}"}`);
    } else if (ts.isJsxAttribute(node) && SPOKEN_ATTRIBUTES.has(node.name.getText()) && node.initializer) {
      const init = node.initializer;
      const literal = ts.isStringLiteral(init) ? init : ts.isJsxExpression(init) && init.expression && ts.isStringLiteralLike(init.expression) ? init.expression : null;
      if (literal && hasLetter(literal.text)) found.push(`${where(node)} ${node.name.getText()}="${literal.text.slice(0, 40)}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("JSX text comes from the messages", () => {
  it("no text literal in app/ or components/ (use t(…) from next-intl)", () => {
    const found = [...tsxFiles("app"), ...tsxFiles("components")].flatMap(literals);
    expect(found).toEqual([]);
  });

  it("the check sees a literal it must refuse", () => {
    const file = join(root, "test-results", "i18n-probe.tsx");
    mkdirSync(join(root, "test-results"), { recursive: true });
    writeFileSync(file, `export const A = () => <p title="Hello">Welcome <code>NEXTAUTH_URL</code>{"there"}</p>;\n`);
    try {
      expect(literals(file).map((l) => l.replace(/^.*:\d+ /, ""))).toEqual(['title="Hello"', 'text "Welcome"', 'text {"there"}']);
    } finally {
      rmSync(file);
    }
  });
});
