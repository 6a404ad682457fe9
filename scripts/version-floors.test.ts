import { readFileSync } from "node:fs";
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

  it("compares versions numerically", () => {
    expect(compare("16.10.0", "16.4.6")).toBeGreaterThan(0);
    expect(compare("4.24.9", "4.24.15")).toBeLessThan(0);
    expect(compare("0.7.2", "0.7.0")).toBeGreaterThan(0);
  });
});
