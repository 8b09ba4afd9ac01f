/** Headless Chromium for browser tests: Debian's /usr/bin/chromium through playwright-core. */
import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Fails the test file early, saying how to install Chromium, when it is missing. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
}

/** A persistent context on `profileDir` (playwright passes it as --user-data-dir); the caller removes the directory. */
export function launchChromium(profileDir: string, viewport?: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, ...(viewport ? { viewport } : {}), args: FLAGS });
}

/** Closes the context (when it was launched) and removes its profile directory. */
export async function closeChromium(browser: BrowserContext | undefined, profileDir: string | undefined): Promise<void> {
  await browser?.close();
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
}

/** A new page signed in to `${baseUrl}/dashboard` with `token`; `problems` collects page errors and console errors. */
export async function signInToDashboard(browser: BrowserContext, baseUrl: string, token: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(`${baseUrl}/dashboard`);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  return { page, problems };
}
