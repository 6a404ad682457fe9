import { expect, type Locator, type Page } from "@playwright/test";

/**
 * A person without a mouse: moves focus only with Tab / Shift+Tab, acts with Enter, Space, arrows and typing.
 * Locators are used only to check where focus is, never to act.
 */
export class KeyboardUser {
  constructor(private readonly page: Page) {}

  private isFocused(target: Locator): Promise<boolean> {
    return target.evaluate((el) => el === document.activeElement).catch(() => false);
  }

  /** Tabs (or Shift+Tabs) until `target` has focus; fails when it is not reached within `max` presses. */
  async tabTo(target: Locator, opts: { backwards?: boolean; max?: number } = {}): Promise<number> {
    const key = opts.backwards ? "Shift+Tab" : "Tab";
    const max = opts.max ?? 40;
    for (let presses = 1; presses <= max; presses++) {
      await this.page.keyboard.press(key);
      if (await this.isFocused(target)) {
        // Keyboard focus, so the page must draw its focus indicator (:focus-visible).
        expect(await target.evaluate((el) => el.matches(":focus-visible"))).toBe(true);
        return presses;
      }
    }
    throw new Error(`${key} ×${max} never reached ${target}`);
  }

  async expectFocused(target: Locator): Promise<void> {
    await expect(target).toBeFocused();
  }

  press(key: string): Promise<void> {
    return this.page.keyboard.press(key);
  }

  type(text: string): Promise<void> {
    return this.page.keyboard.type(text);
  }
}
