/**
 * The browser client in headless Chromium (Debian's /usr/bin/chromium through playwright-core), against a page
 * that imports /plugins/resources/client.js: first load with progress, a reload from Cache Storage, a live bump.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { closeChromium, launchChromium, requireChromium } from '../../support/browser';
import { asAdmin, READER, startResourcesApi, type ResourcesApi } from './resources-api';

const PAGE_DIR = path.join(__dirname, 'page');

let api: ResourcesApi;
let browser: BrowserContext;
let profile: string;
/** Every fulldata request the page makes, as request interception sees it. */
const fulldata: string[] = [];
/** fulldata requests that reached the server (the Service Worker test). */
let served = 0;

beforeAll(async () => {
  requireChromium();
  api = await startResourcesApi('browser', {}, (app) => {
    for (const [file, type] of [['index.html', 'text/html; charset=utf-8'], ['page.js', 'text/javascript; charset=utf-8']] as const) {
      const body = fs.readFileSync(path.join(PAGE_DIR, file), 'utf8');
      app.get(`/test-page/${file}`, async (_req, reply) => reply.type(type).header('cache-control', 'no-store').send(body));
    }
    app.addHook('onRequest', async (req) => {
      if (req.url.includes('/fulldata')) served += 1;
    });
  });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-res-'));
  browser = await launchChromium(profile);
  await browser.addInitScript({ content: `sessionStorage.setItem('token', ${JSON.stringify(READER)})` });
  await browser.route('**/fulldata*', async (route) => {
    fulldata.push(new URL(route.request().url()).pathname + new URL(route.request().url()).search);
    await route.continue();
  });
}, 60_000);

afterAll(async () => {
  await closeChromium(browser, profile);
  await api?.close();
});

async function openPage(page: Page): Promise<void> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${api.url}/test-page/index.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 20_000 });
  await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
  expect(problems).toEqual([]);
}

/** What page.js exposes as `window.probe`. */
interface Probe {
  progress(): Array<{ done: number; total: number; name: string }>;
  version(name: string): number | undefined;
  size(name: string): number;
  getById(name: string, id: number): Record<string, unknown> | undefined;
  findStoreByCode(code: string): { id: number } | undefined;
  useServiceWorker(): Promise<void>;
  fetchWithoutToken(url: string): Promise<{ status: number; rows?: number }>;
  fetchWithToken(url: string): Promise<{ status: number; version: string | null; cacheControl: string | null; rows: number }>;
}
/** In page.evaluate callbacks (they run in the page: only types may come from here). */
type Page$ = { probe: Probe };

const versions = async () => (await api.app.inject({ method: 'GET', url: '/plugins/resources', headers: asAdmin })).json<Array<{ name: string; version: number }>>();

describe('resources browser client', () => {
  let page: Page;

  it('first load fetches every resource once with ?v= and shows progress; a reload fetches none', async () => {
    page = await browser.newPage();
    await openPage(page);
    const table = await versions();
    expect([...fulldata].sort()).toEqual(table.map((r) => `/plugins/resources/${r.name}/fulldata?v=${r.version}`).sort());
    expect(await page.locator('#progress').textContent()).toBe('3/3');
    const progress = await page.evaluate(() => (globalThis as unknown as Page$).probe.progress());
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(progress.every((p) => p.total === 3)).toBe(true);
    expect(await page.evaluate(() => {
      const p = (globalThis as unknown as Page$).probe;
      return { staff: p.size('staff'), code: p.getById('staff', 4321)?.code, store: p.findStoreByCode('ST0007')?.id };
    })).toEqual({ staff: 5_000, code: 'NV04321', store: 7 });

    fulldata.length = 0;
    await page.reload();
    await openPage(page);
    expect(fulldata).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as Page$).probe.size('staff'))).toBe(5_000);
  }, 60_000);

  it('a bump while the page is open updates that resource within 1 s, without a reload and without refetching the others', async () => {
    await api.fx.pool.query("UPDATE staff SET full_name = 'Lê Thị Mới' WHERE id = 42");
    fulldata.length = 0;
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const res = await api.app.inject({ method: 'POST', url: '/plugins/resources/staff/refresh', headers: asAdmin });
    expect(res.json()).toMatchObject({ changed: true });
    const version = res.json<{ version: number }>().version;
    await page.waitForFunction((v) => (globalThis as unknown as Page$).probe.version('staff') === v, version, { timeout: 1_000 });
    expect(await page.evaluate(() => (globalThis as unknown as Page$).probe.getById('staff', 42)?.fullName)).toBe('Lê Thị Mới');
    expect(fulldata).toEqual([`/plugins/resources/staff/fulldata?v=${version}`]);
    expect(navigations).toEqual([]);
    // The version the page held before is answered with the current data, on a plain-http page too.
    const stale = await page.evaluate((url) => (globalThis as unknown as Page$).probe.fetchWithToken(url), `/plugins/resources/staff/fulldata?v=${version - 1}`);
    expect(stale).toEqual({ status: 200, version: String(version), cacheControl: 'no-cache', rows: 5_000 });
  }, 30_000);

  it('the optional Service Worker answers fulldata?v=N from the cache without a request and without a token', async () => {
    await page.evaluate(() => (globalThis as unknown as Page$).probe.useServiceWorker());
    const [staff] = (await versions()).filter((r) => r.name === 'staff');
    const before = served;
    const hit = await page.evaluate((url) => (globalThis as unknown as Page$).probe.fetchWithoutToken(url), `/plugins/resources/staff/fulldata?v=${staff!.version}`);
    expect(hit).toEqual({ status: 200, rows: 5_000 });
    expect(served).toBe(before);
    // A version not in the cache goes to the network untouched: without a token it is refused there.
    const miss = await page.evaluate((url) => (globalThis as unknown as Page$).probe.fetchWithoutToken(url), `/plugins/resources/staff/fulldata?v=${staff!.version + 100}`);
    expect(miss).toEqual({ status: 401 });
    expect(served).toBe(before + 1);
  }, 30_000);
});
