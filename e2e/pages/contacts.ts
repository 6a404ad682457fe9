import { expect, type Page } from "@playwright/test";

export class ContactsPage {
  constructor(private readonly page: Page) {}

  readonly rows = () => this.page.getByRole("table").locator("tbody tr");
  readonly range = () => this.page.getByText(/^\d+–\d+ of \d+$/);

  async open(): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Contacts");
  }

  async add(first: string, last: string, email: string): Promise<void> {
    await this.page.getByLabel("First name").fill(first);
    await this.page.getByLabel("Last name").fill(last);
    await this.page.getByLabel("E-mail").fill(email);
    await this.page.getByRole("button", { name: "Add contact" }).click();
  }
}
