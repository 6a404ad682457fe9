import { expect, type Page } from "@playwright/test";

export class DealsPage {
  constructor(private readonly page: Page) {}

  readonly rows = () => this.page.getByRole("table").locator("tbody tr");
  readonly range = () => this.page.getByText(/^\d+–\d+ of \d+$/);
  readonly title = () => this.page.getByLabel("Title");
  readonly amount = () => this.page.getByLabel("Amount");
  readonly currency = () => this.page.getByLabel("Currency");
  readonly createButton = () => this.page.getByRole("button", { name: "Create deal" });

  async open(): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Deals");
  }

  async create(title: string, amount: string, currency = "EUR"): Promise<void> {
    await this.page.getByLabel("Title").fill(title);
    await this.page.getByLabel("Amount").fill(amount);
    await this.page.getByLabel("Currency").selectOption(currency);
    await this.page.getByRole("button", { name: "Create deal" }).click();
  }
}
