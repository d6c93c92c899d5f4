/** Debian chromium via playwright-core for the workspace's browser tests, and signing in to it with a token. */
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A new browser context signed in at `base` with `token`, on the page sign-in lands on; dialogs are recorded and dismissed. */
export async function signIn(browser: Browser, base: string, token: string): Promise<Page & { dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
  const page = (await context.newPage()) as Page & { dialogs: string[] };
  page.dialogs = [];
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${base}/ui/login`);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(/\/ui\/(queue|posts)/), page.click('button[type=submit]')]);
  return page;
}
