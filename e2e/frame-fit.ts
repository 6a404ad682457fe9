import { expect, type Locator } from "@playwright/test";

/**
 * "No scroll bars inside the frame" as a person would see it: the iframe element (in the portal's page) is as tall
 * as the document inside it, and that document scrolls in neither direction.
 */
export async function expectFrameFitsContent(iframe: Locator): Promise<void> {
  const handle = await iframe.elementHandle();
  const frame = await handle!.contentFrame();
  await expect
    .poll(
      async () => {
        const inner = await frame!.evaluate(() => {
          const el = document.documentElement;
          return { scrollH: el.scrollHeight, clientH: el.clientHeight, scrollW: el.scrollWidth, clientW: el.clientWidth, content: Math.ceil(el.getBoundingClientRect().height) };
        });
        const box = await iframe.evaluate((el) => el.clientHeight);
        return inner.scrollH <= inner.clientH && inner.scrollW <= inner.clientW && Math.abs(box - inner.content) <= 1;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
}
