import { expect, type Page } from "@playwright/test";

/** The emulator portal's login/consent page at /oauth/authorize/. */
export class PortalLoginPage {
  constructor(private readonly page: Page) {}

  async expectOpen(portalHost: string): Promise<void> {
    await expect(this.page).toHaveURL(new RegExp(`^http://${portalHost.replace(/\./g, "\\.")}/oauth/authorize/`));
  }

  /**
   * Signs the browser out of the portal (GET /auth/?logout=yes). A signed-in portal user is sent straight back from
   * /oauth/authorize/ without this page, as in Bitrix24, so a flow that must see the page again signs out first.
   */
  async signOut(portalHost: string): Promise<void> {
    await this.page.request.get(`http://${portalHost}/auth/?logout=yes`, { maxRedirects: 0 });
  }

  async allow(userLabel?: string): Promise<void> {
    if (userLabel) await this.page.getByLabel("Sign in as").selectOption({ label: userLabel });
    await this.page.getByRole("button", { name: "Allow" }).click();
  }
}
