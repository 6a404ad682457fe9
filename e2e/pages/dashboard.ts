import { expect, type Page } from "@playwright/test";

export class DashboardPage {
  constructor(private readonly page: Page) {}

  async expectSignedIn(name: string, portalHost: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/dashboard$/);
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${name}`);
    await expect(this.page.getByText(`Connected to ${portalHost}`)).toBeVisible();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Connect your Bitrix24 in one step");
  }
}
