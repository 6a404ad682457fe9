import { expect, type FrameLocator, type Locator, type Page } from "@playwright/test";

/** The emulated portal's deal card (`/crm/deal/details/<id>/`) with the app's CRM_DEAL_DETAIL_TAB as a tab. */
export class DealCardPage {
  readonly tab: FrameLocator;

  constructor(private readonly page: Page) {
    this.tab = page.frameLocator("#placement-frame");
  }

  async open(portalUrl: string, dealId: number | string, opts: { user?: number; lang?: string } = {}): Promise<void> {
    const q = new URLSearchParams({ ...(opts.user ? { user: String(opts.user) } : {}), ...(opts.lang ? { lang: opts.lang } : {}) });
    await this.page.goto(`${portalUrl}/crm/deal/details/${dealId}/${q.size ? `?${q}` : ""}`);
  }

  /** The app's tabs on the card, in the order the portal shows them (their titles follow the portal's language). */
  tabs(): Locator {
    return this.page.getByRole("tab");
  }

  tabButton(title: string): Locator {
    return this.page.getByRole("tab", { name: title });
  }

  iframe(): Locator {
    return this.page.locator("#placement-frame");
  }

  reloads(): Locator {
    return this.page.locator("#card-reloads");
  }

  field(name: "title" | "amount" | "stage" | "contact"): Locator {
    return this.tab.getByTestId(`deal-${name}`);
  }

  async addComment(text: string): Promise<void> {
    await this.tab.getByRole("textbox", { name: "Comment" }).fill(text);
    await this.tab.getByRole("button", { name: "Add comment" }).click();
    await expect(this.tab.getByRole("status").filter({ hasText: "added to the deal's timeline" })).toBeVisible();
  }
}

/** The portal's slider (openApplication) holding a second frame of the app. */
export class SliderPage {
  readonly frame: FrameLocator;

  constructor(private readonly page: Page) {
    this.frame = page.frameLocator(".b24-slider[role=dialog] iframe.b24-slider-frame");
  }

  dialog(title: string): Locator {
    return this.page.getByRole("dialog", { name: title });
  }
}
