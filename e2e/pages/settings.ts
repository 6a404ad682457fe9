import { expect, type Page } from "@playwright/test";

/** The settings page; the request-bucket section is rendered for administrators only. */
export class SettingsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/settings");
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  }

  bucketSection() {
    return this.page.getByRole("region", { name: "Request bucket" });
  }

  bucketChoice(name: RegExp) {
    return this.bucketSection().getByRole("radio", { name });
  }

  async saveBucket(name: RegExp): Promise<void> {
    await this.bucketChoice(name).check();
    await this.bucketSection().getByRole("button", { name: "Apply" }).click();
    await expect(this.bucketSection().getByRole("status")).toContainText("Applied");
  }
}
