import { expect, type FrameLocator, type Page } from "@playwright/test";

/** The install doctor (admin only), read inside the portal's frame or at top level. */
export class DoctorPage {
  constructor(private readonly root: Page | FrameLocator) {}

  async expectOpen(): Promise<void> {
    await expect(this.root.getByRole("heading", { level: 1 })).toHaveText("Install doctor");
  }

  /** The value next to `label` in the section whose heading matches `section`. */
  value(section: RegExp, label: string) {
    return this.root
      .getByRole("region", { name: section })
      .locator("div")
      .filter({ has: this.root.locator("dt", { hasText: new RegExp(`^${label}$`) }) })
      .locator("dd");
  }

  problems() {
    return this.root.getByRole("list", { name: "Problems" }).getByRole("listitem");
  }
}
