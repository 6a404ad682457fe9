import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Supply chain: the versions the lockfile actually installs stay at or above the floors the security review set
 * (the latest patched releases when it was written), and security-relevant packages are pinned exactly in
 * package.json so an install can never float below them. Raise a floor when an advisory moves it.
 * The advisory audit itself (`npm audit --omit=dev`) runs in .ci/run where the advisory service answers.
 */
const FLOORS: Record<string, string> = {
  next: "16.4.6", // CVE-2025-29927 and later middleware/proxy bypasses
  "next-auth": "4.24.15", // Next 16 support and the callback/redirect fixes
  cookie: "0.7.0", // CVE-2024-47764: out-of-bounds characters in cookie name/path/domain
  jose: "4.15.5", // CVE-2024-28176: JWE decompression bomb
};
const PINNED = ["next", "next-auth", "react", "react-dom", "zod", "@prisma/client", "better-sqlite3", "pg"];

const root = join(__dirname, "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };

const QS_FLOOR = "6.14.1";
const RSD_FLOOR = "19.2.3";
const RSD_CANARY_FLOOR = "20251211";

function lockCopies(name: string): Array<[string, string]> {
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, { version }]) => [path, version ?? "0"]);
}

/** Every node_modules/**\/<name>/package.json actually on disk (nested copies included). */
function installedCopies(name: string, dir = join(root, "node_modules"), depth = 0): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (depth > 6 || !existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (entry.name === name && existsSync(join(sub, "package.json"))) {
      out.push([sub, (JSON.parse(readFileSync(join(sub, "package.json"), "utf8")) as { version?: string }).version ?? "0"]);
    }
    if (entry.name.startsWith("@")) out.push(...installedCopies(name, sub, depth));
    else if (existsSync(join(sub, "node_modules"))) out.push(...installedCopies(name, join(sub, "node_modules"), depth + 1));
  }
  return out;
}

/** Next's vendored react-server-dom-* copies, with the React version their bundles carry. */
function vendoredRsd(): Array<[string, string]> {
  const compiled = join(root, "node_modules/next/dist/compiled");
  return readdirSync(compiled)
    .filter((d) => d.startsWith("react-server-dom-"))
    .map((d) => {
      const cjs = join(compiled, d, "cjs");
      const versions = new Set(readdirSync(cjs).flatMap((f) => readFileSync(join(cjs, f), "utf8").match(/\b19\.\d+\.\d+-[a-z]+-[0-9a-f]+-\d{8}\b/g) ?? []));
      return [`next/dist/compiled/${d}`, versions.size === 1 ? [...versions][0]! : `0 (${versions.size} versions found)`];
    });
}

function compare(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number(x) || 0);
  const pb = b.split(/[.-]/).map((x) => Number(x) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

describe("dependency floors", () => {
  it.each(Object.entries(FLOORS))("every installed copy of %s is at least %s [#15]", (name, floor) => {
    const copies = Object.entries(lock.packages).filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
    expect(copies.length, `${name} is not in package-lock.json`).toBeGreaterThan(0);
    for (const [path, { version }] of copies) expect(compare(version ?? "0", floor), `${path}@${version}`).toBeGreaterThanOrEqual(0);
  });

  it("pins security-relevant runtime packages to exact versions [#15]", () => {
    for (const name of PINNED) expect(pkg.dependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  // qs (the form parser Bitrix24's PHP side mirrors; a transitive dependency of many servers): CVE-2022-24999
  // (prototype pollution, 6.10.3) and CVE-2025-15284 (arrayLimit bypass DoS, 6.14.1). No copy at all also passes:
  // the app parses forms itself (lib/bitrix24/lifecycle/form.ts).
  it(`every copy of qs, in the lockfile or node_modules, is at least ${QS_FLOOR} [#15]`, () => {
    const copies = [...lockCopies("qs"), ...installedCopies("qs")];
    for (const [path, version] of copies) expect(compare(version, QS_FLOOR), `${path}@${version}`).toBeGreaterThanOrEqual(0);
  });

  // react-server-dom-* (the RSC Flight server): CVE-2025-55182 (RCE, 19.2.1), CVE-2025-55183/55184 (source exposure,
  // DoS, 19.2.2), CVE-2025-67779 (DoS, 19.2.3). Next vendors its own copies in next/dist/compiled; their version
  // lives in the bundle, and a canary/experimental build must also be dated after the last fix.
  it(`every copy of react-server-dom-* is at least ${RSD_FLOOR} (a canary dated ${RSD_CANARY_FLOOR} or later) [#15]`, () => {
    const copies = [...vendoredRsd(), ...Object.keys(lock.packages).filter((p) => /(^|\/)node_modules\/react-server-dom-[^/]+$/.test(p)).map((p) => [p, lock.packages[p]!.version ?? "0"] as [string, string])];
    expect(copies.length, "next/dist/compiled/react-server-dom-* not found").toBeGreaterThanOrEqual(2);
    for (const [path, version] of copies) {
      expect(compare(version, RSD_FLOOR), `${path}@${version}`).toBeGreaterThanOrEqual(0);
      const date = /-(?:canary|experimental|rc)[.-][0-9a-f]+-(\d{8})$/.exec(version)?.[1];
      if (/-(canary|experimental|rc)/.test(version)) expect(date && date >= RSD_CANARY_FLOOR, `${path}@${version} predates the fixes`).toBe(true);
    }
  });

  it("compares versions numerically", () => {
    expect(compare("16.10.0", "16.4.6")).toBeGreaterThan(0);
    expect(compare("4.24.9", "4.24.15")).toBeLessThan(0);
    expect(compare("0.7.2", "0.7.0")).toBeGreaterThan(0);
  });
});
