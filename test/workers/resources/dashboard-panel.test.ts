/** The built-in dashboard's Resources panel (app/core/api/dashboard/resources.js) in headless Chromium. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { closeChromium, launchChromium, requireChromium, signInToDashboard } from '../../support/browser';
import { ADMIN, asAdmin, startResourcesApi, type ResourcesApi } from './resources-api';

let api: ResourcesApi;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  requireChromium();
  api = await startResourcesApi('dash');
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-resdash-'));
  browser = await launchChromium(profile);
}, 60_000);

afterAll(async () => {
  await closeChromium(browser, profile);
  await api?.close();
});

describe('dashboard resources panel', () => {
  it('shows every resource with its version, looks an id up from memory, and follows a bump live', async () => {
    const { page, problems } = await signInToDashboard(browser, api.url, ADMIN);
    const staff = page.locator('#resources-table tr[data-resource="staff"]');
    await staff.waitFor({ timeout: 20_000 });
    expect(await staff.locator('[data-field=rows]').textContent()).toBe('5000');
    expect(await page.locator('#resources-progress').textContent()).toBe('3 loaded');

    await page.selectOption('#resource-name', 'staff');
    await page.fill('#resource-id', '42');
    await page.click('#resource-lookup button[type=submit]');
    expect(await page.locator('#resource-row').textContent()).toContain('"code":"NV00042"');

    const v = Number(await staff.locator('[data-field=version]').textContent());
    const bump = await api.app.inject({ method: 'POST', url: '/plugins/resources/staff/bump', headers: asAdmin });
    expect(bump.json()).toMatchObject({ version: v + 1 });
    await expect.poll(() => staff.locator('[data-field=version]').textContent(), { timeout: 1_000, interval: 20 }).toBe(String(v + 1));
    expect(problems).toEqual([]);
  }, 60_000);
});
