import { writeFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test as base } from "./fixtures";

/**
 * Accessibility audits with axe-core: WCAG 2.0/2.1 A and AA plus axe's best practices. Only serious and critical
 * violations fail a test (each page is a soft assertion, so one run lists every page's problems); moderate and
 * minor ones are kept in the test's output folder (a11y.json) to be read, not enforced.
 */
export const A11Y_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const BLOCKING = new Set(["serious", "critical"]);

export interface Finding {
  page: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
  /** colour-contrast: the colours and ratio axe measured, per target. */
  details: string[];
}

function describe(f: Finding): string {
  const lines = f.targets.map((t, i) => `    ${t}${f.details[i] ? `  (${f.details[i]})` : ""}`);
  return `  [${f.impact}] ${f.rule}: ${f.help}\n${lines.join("\n")}`;
}

export class A11y {
  readonly findings: Finding[] = [];
  readonly pages: string[] = [];

  constructor(private readonly page: Page) {}

  /**
   * Audits the page as it is now. `frame`: a selector of an iframe in the top page; then only the document inside
   * that frame is audited (the app inside the emulated portal, not the emulator's own page).
   */
  async check(where: string, opts: { frame?: string } = {}): Promise<void> {
    let axe = new AxeBuilder({ page: this.page }).withTags(A11Y_TAGS);
    // The app's frame in a portal page is cross-origin, which only the partial runs reach; a top-level app page
    // has no frame, so the single-run mode spares the extra blank page the partial runs finish in.
    axe = opts.frame ? axe.include([opts.frame, "html"]) : axe.setLegacyMode();
    const result = await axe.analyze();
    this.pages.push(where);
    const found: Finding[] = result.violations.map((v) => ({
      page: where,
      rule: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(" >>> ")),
      details: v.nodes.map((n) => {
        const data = n.any.find((c) => c.id === "color-contrast")?.data as
          | { fgColor?: string; bgColor?: string; contrastRatio?: number; expectedContrastRatio?: string }
          | undefined;
        return data?.fgColor ? `${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1, needs ${data.expectedContrastRatio}` : "";
      }),
    }));
    this.findings.push(...found);
    const blocking = found.filter((f) => BLOCKING.has(f.impact));
    expect.soft(blocking.length, `${where} (${this.page.url()}): serious/critical accessibility violations\n${blocking.map(describe).join("\n")}`).toBe(0);
  }

  /** Every finding of the test, blocking or not, and the pages audited: written to the test's output folder. */
  summary(): string {
    return JSON.stringify({ pages: this.pages, findings: this.findings }, null, 2);
  }
}

export const test = base.extend<{ a11y: A11y }>({
  a11y: async ({ page }, use, testInfo) => {
    const a11y = new A11y(page);
    await use(a11y);
    writeFileSync(testInfo.outputPath("a11y.json"), a11y.summary());
  },
});

export { expect };
