import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The CI workflow shipped for people who clone the template (.github/workflows/ci.yml) must run what the README
 * promises: its test command, on PostgreSQL as well as SQLite, with the advisory audit of production dependencies
 * that this machine cannot reach. Read as text: the file is small and a YAML parser is not a dependency.
 */
const workflow = readFileSync(".github/workflows/ci.yml", "utf8");
const readme = readFileSync("README.md", "utf8");
const ciRun = readFileSync(".ci/run", "utf8");
const steps = (job: string) => {
  const start = workflow.indexOf(`\n  ${job}:\n`);
  expect(start, `job ${job}`).toBeGreaterThan(0);
  const rest = workflow.slice(start + job.length + 5);
  const end = rest.search(/\n {2}[a-z-]+:\n/);
  return end < 0 ? rest : rest.slice(0, end);
};

describe("CI workflow for clones", () => {
  it("runs the README's test command with a PostgreSQL service, Node 20 and Chromium", () => {
    expect(readme).toContain("npm install && npm test");
    const test = steps("test");
    expect(test).toMatch(/^\s+run: npm test$/m);
    expect(test).toMatch(/^\s+run: npm ci\b/m);
    expect(test).toMatch(/image: postgres:\d+/);
    expect(test).toContain("POSTGRES_HOST_AUTH_METHOD: trust");
    expect(test).toContain("PG_ADMIN_URL: postgresql://postgres@127.0.0.1:5432/postgres");
    expect(test).toMatch(/playwright install --with-deps chromium/);
    expect(workflow).toMatch(/node-version: 20\b/);
    expect(workflow).not.toMatch(/\.only|\.skip|continue-on-error: true/);
  });

  it("audits production dependencies with the same gate as .ci/run [#15]", () => {
    expect(steps("audit")).toMatch(/^\s+run: node scripts\/audit\.mjs$/m);
    expect(ciRun).toContain("node scripts/audit.mjs");
    expect(ciRun).toMatch(/^npm test 2>&1/m);
  });
});
