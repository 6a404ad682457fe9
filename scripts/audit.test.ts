import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { activeAllowList, advisoriesOf, unreachable, verdict } from "./audit.mjs";

/**
 * The advisory gate of CI (scripts/audit.mjs) on reports shaped like `npm audit --omit=dev --json` (report v2):
 * the advisory service cannot be reached from this machine, so the decision is proven on recorded shapes and the
 * real audit runs where the service answers (.github/workflows/ci.yml).
 */
const advisory = (name: string, id: string, severity: string) => ({
  source: 1, name, dependency: name, title: `${name} issue`, url: `https://github.com/advisories/${id}`, severity, range: "<99",
});
const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    next: { name: "next", severity: "critical", isDirect: true, via: [advisory("next", "GHSA-aaaa-bbbb-cccc", "critical")], effects: ["next-auth"] },
    "next-auth": { name: "next-auth", severity: "critical", isDirect: true, via: ["next"], effects: [] },
    cookie: { name: "cookie", severity: "low", isDirect: false, via: [advisory("cookie", "GHSA-1111-2222-3333", "low")], effects: [] },
    qs: { name: "qs", severity: "high", isDirect: false, via: [advisory("qs", "GHSA-dddd-eeee-ffff", "high")], effects: [] },
  },
  metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 1, total: 3 } },
};

describe("advisory audit of production dependencies", () => {
  it("a high or critical advisory in next, next-auth, qs or any production dependency fails CI; low ones do not [#15]", () => {
    expect(advisoriesOf(report).map((a: { id: string }) => a.id).sort()).toEqual(["GHSA-1111-2222-3333", "GHSA-aaaa-bbbb-cccc", "GHSA-dddd-eeee-ffff"]);
    const { blocking } = verdict(report, { advisories: [] }, "2026-12-01");
    expect(blocking.map((a: { id: string; packages: string[] }) => [a.id, a.packages])).toEqual([
      ["GHSA-aaaa-bbbb-cccc", ["next"]],
      ["GHSA-dddd-eeee-ffff", ["qs"]],
    ]);
    expect(verdict({ auditReportVersion: 2, vulnerabilities: {} }, { advisories: [] }, "2026-12-01").blocking).toEqual([]);
  });

  it("an allow-listed advisory passes only with a reason and until its expiry date [#15]", () => {
    const list = { advisories: [{ id: "GHSA-dddd-eeee-ffff", reason: "qs is only used by the emulator's tests", expires: "2026-12-31" }] };
    expect(verdict(report, list, "2026-12-01").blocking.map((a: { id: string }) => a.id)).toEqual(["GHSA-aaaa-bbbb-cccc"]);
    expect(verdict(report, list, "2027-01-01").blocking.map((a: { id: string }) => a.id)).toEqual(["GHSA-aaaa-bbbb-cccc", "GHSA-dddd-eeee-ffff"]);
    expect(() => activeAllowList({ advisories: [{ id: "GHSA-dddd-eeee-ffff", expires: "2026-12-31" }] }, "2026-12-01")).toThrow(/reason/);
  });

  it("an unreachable advisory service is told apart from a clean report, so it is reported as skipped, never as passed", () => {
    expect(unreachable({ error: { code: "E405", summary: "Method Not Allowed" } }, "")).toBe(true);
    expect(unreachable(null, "npm ERR! code ENOTFOUND")).toBe(true);
    expect(unreachable(report, "")).toBe(false);
  });
});
