import { expect, type Page } from "@playwright/test";

export class LandingPage {
  constructor(private readonly page: Page) {}

  readonly portalInput = () => this.page.getByLabel("Your Bitrix24 address");
  readonly connectButton = () => this.page.getByRole("button", { name: "Connect your Bitrix24" });
  readonly error = () => this.page.locator("form").getByRole("alert");

  async open(): Promise<void> {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Connect your Bitrix24 in one step");
  }

  /** `region`: the label of a configured OAuth server in the region choice (shown when there are several). */
  async connect(portal: string, region?: string): Promise<void> {
    if (region) await this.page.getByLabel("Bitrix24 region").selectOption({ label: region });
    await this.portalInput().fill(portal);
    await this.connectButton().click();
  }
}
