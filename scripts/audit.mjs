#!/usr/bin/env node
// Advisory audit of production dependencies: `npm audit --omit=dev --json`, minus the advisories listed in
// scripts/audit-allowlist.json (each with a reason and an expiry date). Exit 0: no high or critical advisory left; 1: some
// left (listed); 2: the advisory service could not be reached (printed as one line, so a machine without it says so
// instead of failing or pretending). Used by .ci/run and .github/workflows/ci.yml.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BLOCKING = new Set(["high", "critical"]);

/** The advisories of an `npm audit --json` report (v2), one per GHSA id, with the packages they affect. */
export function advisoriesOf(report) {
  const byId = new Map();
  for (const vuln of Object.values(report?.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      if (typeof via !== "object" || via === null) continue; // a string names another vulnerable package
      const id = /GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/i.exec(via.url ?? "")?.[0] ?? `npm-${via.source}`;
      const entry = byId.get(id) ?? { id, title: via.title ?? "", severity: via.severity ?? "unknown", packages: new Set() };
      entry.packages.add(via.name ?? vuln.name);
      byId.set(id, entry);
    }
  }
  return [...byId.values()].map((a) => ({ ...a, packages: [...a.packages].sort() }));
}

/** Allow-list entries that still hold on `today` (YYYY-MM-DD); an entry without reason or expiry is refused. */
export function activeAllowList(list, today) {
  const out = new Map();
  for (const e of list?.advisories ?? []) {
    if (!/^GHSA-/i.test(e.id ?? "") || !e.reason || !/^\d{4}-\d{2}-\d{2}$/.test(e.expires ?? "")) {
      throw new Error(`scripts/audit-allowlist.json: every entry needs id (GHSA-…), reason and expires (YYYY-MM-DD): ${JSON.stringify(e)}`);
    }
    if (e.expires >= today) out.set(e.id.toUpperCase(), e);
  }
  return out;
}

/** What blocks: high or critical advisories not allow-listed (or whose allow-listing expired). */
export function verdict(report, allowList, today) {
  const allowed = activeAllowList(allowList, today);
  const blocking = advisoriesOf(report).filter((a) => BLOCKING.has(a.severity) && !allowed.has(a.id.toUpperCase()));
  return { blocking, allowed: [...allowed.keys()] };
}

/** npm prints an `error` object instead of a report when the advisory endpoint cannot be used. */
export function unreachable(report, stderr) {
  if (report && typeof report === "object" && report.error) return true;
  return /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|audit endpoint returned an error|\b405\b/i.test(stderr ?? "");
}

function runAudit() {
  return new Promise((resolve) => {
    execFile("npm", ["audit", "--omit=dev", "--json"], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      let report = null;
      try {
        report = JSON.parse(stdout);
      } catch {
        /* not JSON: treated by unreachable() / below */
      }
      resolve({ report, stderr: String(stderr ?? "") + (err?.killed ? " ETIMEDOUT" : "") });
    });
  });
}

async function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const allowList = JSON.parse(readFileSync(`${root}scripts/audit-allowlist.json`, "utf8"));
  const today = new Date().toISOString().slice(0, 10);
  activeAllowList(allowList, today);
  const { report, stderr } = await runAudit();
  if (unreachable(report, stderr) || !report?.vulnerabilities) {
    console.log("npm audit skipped: the advisory service is unreachable from this machine (version floors are still checked by npm test)");
    process.exit(2);
  }
  const { blocking, allowed } = verdict(report, allowList, today);
  if (blocking.length === 0) {
    console.log(`npm audit --omit=dev: no high or critical advisories${allowed.length ? ` (allow-listed: ${allowed.join(", ")})` : ""}`);
    process.exit(0);
  }
  for (const a of blocking) console.log(`${a.severity} ${a.id} in ${a.packages.join(", ")}: ${a.title}`);
  console.log(`npm audit --omit=dev: ${blocking.length} high or critical advisories (fix them, or allow-list each in scripts/audit-allowlist.json with a reason and an expiry)`);
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
