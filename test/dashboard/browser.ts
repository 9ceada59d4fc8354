/** Debian's headless Chromium through playwright-core, plus page helpers for the dashboard test. */
import { chromium, Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Text of the first element matching `selector`, or '' when there is none. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const el = await page.$(selector);
  return el ? ((await el.textContent()) || '').trim() : '';
}

/**
 * Waits until the text of `selector` matches `re`, and returns that text. On
 * timeout the error names the selector and what the page showed last, so a
 * wrong value fails with the value instead of a bare timeout.
 */
export async function waitForText(page: Page, selector: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await textOf(page, selector).catch(() => '');
    if (re.test(last)) return last;
    if (Date.now() > end) throw new Error(`${selector}: expected text matching ${re}, page shows "${last.slice(0, 300)}"`);
    await page.waitForTimeout(250);
  }
}

/** Collects browser console errors and page exceptions, for failure messages and a final check. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
