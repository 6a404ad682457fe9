import { expect, type Page } from "@playwright/test";

/** The emulator portal's login/consent page at /oauth/authorize/. */
export class PortalLoginPage {
  constructor(private readonly page: Page) {}

  async expectOpen(portalHost: string): Promise<void> {
    await expect(this.page).toHaveURL(new RegExp(`^http://${portalHost.replace(/\./g, "\\.")}/oauth/authorize/`));
  }

  async allow(userLabel?: string): Promise<void> {
    if (userLabel) await this.page.getByLabel("Sign in as").selectOption({ label: userLabel });
    await this.page.getByRole("button", { name: "Allow" }).click();
  }
}
