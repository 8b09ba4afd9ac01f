/** Drives /dashboard in headless Chromium (Debian's /usr/bin/chromium through playwright-core). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { closeChromium, launchChromium, requireChromium, signInToDashboard } from '../support/browser';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { ADMIN, asAdmin, startApiWithWorker, type ApiHarness } from '../api/api-harness';
import type { Harness } from '../support/harness';

export const SCREENSHOT = path.join(os.tmpdir(), 'sluice-dashboard.png');

@Schedule({ id: 'dash-report', cron: '0 6 * * *', timezone: 'UTC', description: 'nightly report (dashboard e2e)' })
class DashReportWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    ctx.log.info('report built', { rows: 3 });
    return { rows: 3 };
  }
}

let api: ApiHarness & { h: Harness };
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  requireChromium();
  api = await startApiWithWorker('dashboard', [DashReportWorker]);
  await api.listen();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  browser = await launchChromium(profile, { width: 1280, height: 900 });
});

afterAll(async () => {
  await closeChromium(browser, profile);
  await api?.close();
});

describe('dashboard', () => {
  it('signs in with a token, runs a worker and sees it succeed live, shows its logs, and disables it', async () => {
    const { page, problems } = await signInToDashboard(browser, api.url, ADMIN);
    const row = page.locator('tr[data-worker="dash-report"]');
    await row.waitFor();
    await page.locator('#live.on').waitFor();
    await row.click();
    await row.locator('button[data-action="run"]').click();
    const status = page.locator('#executions tbody tr').first().locator('[data-field=status]');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('succeeded');
    await expect.poll(() => row.locator('td').nth(5).textContent(), { timeout: 10_000 }).toContain('succeeded');

    await page.locator('#executions tbody tr').first().click();
    await expect.poll(() => page.locator('#logs').textContent(), { timeout: 10_000 }).toContain('report built');

    await row.locator('button[data-action="disable"]').click();
    await expect.poll(() => row.locator('[data-field=state]').textContent(), { timeout: 10_000 }).toBe('disabled');
    const worker = await api.app.inject({ method: 'GET', url: '/workers/dash-report', headers: asAdmin });
    expect(worker.json()).toMatchObject({ enabled: false, nextFireAt: null });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
