import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Keeps docs/security-coverage.md true. The table maps each of the 44 checklist items of the security review
 * (section 7) to the tests that prove it, and every named test ends its title with the item's tag, " [#N]". This
 * fails when the table does not list exactly items 1..44, names a test that does not exist or lacks its tag, when a
 * tag in a test file claims an item the table does not give that test, or when the items not yet proven differ from
 * KNOWN_GAPS (so closing a gap means shortening the list, and a new gap fails until someone writes it down).
 */
const ROOT = join(__dirname, "..");
const TABLE = "docs/security-coverage.md";
const ITEMS = 44;
const SELF = "scripts/security-coverage.test.ts";

/** The items the table marks partial or missing. */
const KNOWN_GAPS: number[] = [];

/**
 * Named tests ("file › title") allowed to lack their tag for now: their file was being edited by someone else when
 * the tags went in. Tag them and take them off this list.
 */
const UNTAGGED_OK: string[] = [];

interface Row {
  n: number;
  status: string;
  missing: string;
  /** Each test as its file and its title, the title optionally preceded by describe titles (`describe > title`). */
  tests: Array<{ file: string; path: string[] }>;
}

function readTable(): Row[] {
  const lines = readFileSync(join(ROOT, TABLE), "utf8").split("\n").filter((l) => /^\|\s*\d+\s*\|/.test(l));
  return lines.map((line) => {
    const [n, , status, tests, missing] = line.split("|").slice(1, -1).map((c) => c.trim());
    const named = [...tests!.matchAll(/`([^`]+)` › `([^`]+)`/g)].map((m) => ({ file: m[1]!, path: m[2]!.split(" > ") }));
    return { n: Number(n), status: status!, missing: missing!, tests: named };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Each string literal whose text is `text`, optionally followed by tags: where it starts and the item numbers. */
function literals(source: string, text: string): Array<{ at: number; tags: number[] }> {
  const re = new RegExp(`(["'\`])${escape(text)}(?: ((?:\\[#\\d+\\])+))?\\1`, "g");
  return [...source.matchAll(re)].map((m) => ({ at: m.index, tags: [...(m[2] ?? "").matchAll(/\d+/g)].map(Number) }));
}

/** The test's title literal: each segment of `path` after the previous one; a bare title must be unique in its file. */
function findTest(source: string, path: string[]): { at: number; tags: number[] } | undefined {
  let found: { at: number; tags: number[] } | undefined = { at: 0, tags: [] };
  for (const segment of path) {
    const hits = literals(source, segment).filter((h) => h.at >= found!.at);
    if (path.length === 1 && hits.length > 1) return undefined;
    found = hits[0];
    if (!found) return undefined;
  }
  return found;
}

function testFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "node_modules" ? [] : testFiles(path);
    return /\.(test|spec)\.ts$/.test(e.name) && path !== SELF ? [path] : [];
  });
}

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const rows = readTable();

describe("security coverage table", () => {
  it("lists exactly items 1 to 44, each proven, partial or missing; a gap says what is missing", () => {
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: ITEMS }, (_, i) => i + 1));
    for (const r of rows) {
      expect(["proven", "partial", "missing"], `#${r.n}`).toContain(r.status);
      if (r.status !== "missing") expect(r.tests.length, `#${r.n} names no test`).toBeGreaterThan(0);
      if (r.status !== "proven") expect(r.missing, `#${r.n} does not say what is missing`).toMatch(/\w{3}/);
    }
  });

  it("every named test exists in its file and carries the item's tag", () => {
    const problems: string[] = [];
    for (const r of rows) {
      for (const t of r.tests) {
        const name = `${t.file} › ${t.path.join(" > ")}`;
        let source: string;
        try {
          source = read(t.file);
        } catch {
          problems.push(`#${r.n}: no file ${t.file}`);
          continue;
        }
        const test = findTest(source, t.path);
        if (!test) problems.push(`#${r.n}: no (single) test titled ${name}`);
        else if (!test.tags.includes(r.n) && !UNTAGGED_OK.includes(name)) problems.push(`#${r.n}: ${name} lacks [#${r.n}]`);
        else if (test.tags.includes(r.n) && UNTAGGED_OK.includes(name)) problems.push(`${name} is tagged now: take it off UNTAGGED_OK`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every [#N] tag in a test file is claimed by item N of the table", () => {
    const claimed = new Set(rows.flatMap((r) => r.tests.map((t) => `${t.file} › ${t.path.at(-1)} #${r.n}`)));
    const unclaimed: string[] = [];
    for (const file of ["lib", "components", "scripts", "e2e"].flatMap(testFiles)) {
      for (const m of read(file).matchAll(/(["'`])([^"'`\n]*?) ((?:\[#\d+\])+)\1/g)) {
        for (const [, n] of m[3]!.matchAll(/\[#(\d+)\]/g)) {
          if (!claimed.has(`${file} › ${m[2]} #${n}`)) unclaimed.push(`${file} › ${m[2]} [#${n}]`);
        }
      }
    }
    expect(unclaimed).toEqual([]);
  });

  it("the items not yet proven are exactly KNOWN_GAPS", () => {
    const gaps = rows.filter((r) => r.status !== "proven").map((r) => r.n);
    const missing = rows.filter((r) => r.status === "missing").length;
    console.log(`security checklist: ${ITEMS - gaps.length} of ${ITEMS} proven, ${gaps.length - missing} partial, ${missing} missing`);
    expect(gaps).toEqual(KNOWN_GAPS);
  });
});
