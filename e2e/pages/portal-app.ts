import { expect, type FrameLocator, type Page } from "@playwright/test";

/** The emulator portal's app page (`/marketplace/app/`): our app runs inside its iframe. */
export class PortalAppPage {
  readonly frame: FrameLocator;

  constructor(private readonly page: Page) {
    this.frame = page.frameLocator("#app-frame");
  }

  /** `lang`: the portal user's UI language, which the portal posts to the app as LANG. */
  async open(portalUrl: string, userId?: number, lang?: string): Promise<void> {
    const q = new URLSearchParams({ ...(userId ? { user: String(userId) } : {}), ...(lang ? { lang } : {}) });
    await this.page.goto(`${portalUrl}/marketplace/app/${q.size ? `?${q}` : ""}`);
  }

  async expectInstallFinished(): Promise<void> {
    await expect(this.page.locator("#status")).toHaveText("Installation finished");
  }

  async expectDashboard(name: string, portalHost: string): Promise<void> {
    await expect(this.frame.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${name}`);
    await expect(this.frame.getByText(`Connected to ${portalHost}`)).toBeVisible();
  }

  doctorLink() {
    return this.frame.getByRole("link", { name: "Install doctor" });
  }
}
