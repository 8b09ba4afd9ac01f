/**
 * Dashboard II in headless Chromium: failed-runs view (retry, bulk retry), params form, live logs, config edit,
 * a read token's view and the charts. Screenshots go to this run's temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { closeChromium, launchChromium, requireChromium } from '../support/browser';
import { Type } from '@sinclair/typebox';
import { WebSocketServer } from 'ws';
import { defineSettings, Schedule, ScheduleWorker, WebSocket as Listener, WebSocketWorker, type RunContext } from '../../app';
import { ADMIN, READER, asAdmin, startApiWithWorker, type ApiHarness } from '../api/api-harness';
import type { Harness } from '../support/harness';

defineSettings({ D2_PAGE_LIMIT: { type: 'int', default: 5, description: 'pages per run (dashboard e2e plugin setting)' } });

@Schedule({ id: 'd2-flaky', description: 'fails unless retried' })
class FlakyWorker extends ScheduleWorker<{ fail?: string }> {
  async run(ctx: RunContext<{ fail?: string }>) {
    if (ctx.params.fail && ctx.trigger !== 'retry') throw new Error(ctx.params.fail);
    return { ok: true };
  }
}

@Schedule({
  id: 'd2-shop', description: 'syncs a shop (params form)', cron: '0 6 * * *', timezone: 'Asia/Ho_Chi_Minh',
  params: Type.Object({ shopId: Type.String({ minLength: 1, description: 'shop to sync' }), days: Type.Integer({ minimum: 1, maximum: 30 }), dryRun: Type.Optional(Type.Boolean()) }),
})
class ShopWorker extends ScheduleWorker {
  run(ctx: RunContext) {
    return { synced: ctx.params.shopId };
  }
}

const gates: Array<() => void> = [];
const gate = () => new Promise<void>((resolve) => gates.push(resolve));
@Schedule({ id: 'd2-tail', description: 'logs step by step (live logs)' })
class TailWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    for (const step of [1, 2, 3]) {
      await gate();
      ctx.log.info(`step ${step} done`);
    }
    return { steps: 3 };
  }
}

@Listener({ id: 'd2-feed', urlConfigKey: 'D2_FEED_URL', description: 'a feed listener', reconnect: { minMs: 100, maxMs: 500 } })
class FeedListener extends WebSocketWorker {
  onMessage() {
    return undefined;
  }
}

let feed: WebSocketServer;
let api: ApiHarness & { h: Harness };
let browser: BrowserContext;
let tmp: string;

beforeAll(async () => {
  requireChromium();
  feed = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => feed.once('listening', resolve));
  const { port } = feed.address() as { port: number };
  api = await startApiWithWorker('dashboard2', [FlakyWorker, ShopWorker, TailWorker, FeedListener], { D2_FEED_URL: `ws://127.0.0.1:${port}` });
  await api.listen();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dashboard-ii-'));
  browser = await launchChromium(path.join(tmp, 'profile'), { width: 1400, height: 1000 });
});

afterAll(async () => {
  for (const g of gates.splice(0)) g();
  await closeChromium(browser, tmp && path.join(tmp, 'profile'));
  await api?.close();
  await new Promise((resolve) => feed?.close(resolve));
});

const problems: string[] = [];

async function signIn(token = ADMIN): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text()) && problems.push(m.text()));
  await page.goto(`${api.url}/dashboard`);
  await page.evaluate('sessionStorage.clear()');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('tr[data-worker="d2-shop"]').waitFor();
  await page.locator('#live.on').waitFor();
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(tmp, `${name}.png`), fullPage: true });

async function failedRun(fail: string): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/workers/d2-flaky/trigger', headers: asAdmin, payload: { params: { fail } } });
  const id = (res.json() as { executionId: string }).executionId;
  await api.h.executionIn(id, ['failed']);
  return id;
}

const execution = async (id: string) => (await api.app.inject({ method: 'GET', url: `/executions/${id}`, headers: asAdmin })).json() as Record<string, unknown>;

describe('dashboard II', () => {
  it('a read token sees no admin buttons anywhere', async () => {
    const page = await signIn(READER);
    await expect.poll(() => page.locator('#whoami').textContent()).toBe('viewer (read)');
    // Times carry their zone; a schedule shows its timezone next to its next fire (06:00 there).
    const shop = page.locator('tr[data-worker="d2-shop"]');
    expect(await shop.locator('[data-field=schedule]').textContent()).toBe('0 6 * * *Asia/Ho_Chi_Minh');
    expect(await shop.locator('[data-field=next-fire]').textContent()).toMatch(/06:00:00 AM GMT\+7Asia\/Ho_Chi_Minh · yours: .+ (UTC|GMT)/);
    await page.locator('tr[data-worker="d2-shop"]').click();
    await page.locator('#config tbody tr').first().waitFor();
    expect(await page.locator('#run-form').isVisible()).toBe(false);
    expect(await page.locator('#schedule-form').isVisible()).toBe(false);
    expect(await page.locator('#workers button[data-action], #config button, #config form').count()).toBe(0);
    expect(await page.locator('#board-link').isVisible()).toBe(false);
    await failedRun('seen by a reader');
    await page.click('nav.tabs button[data-tab=failed]');
    await page.locator('#failed tbody tr[data-execution]').first().waitFor();
    expect(await page.locator('#failed button, #failed input[data-select]').count()).toBe(0);
    expect(await page.locator('#failed-view .bulk').isVisible()).toBe(false);
    await shot(page, 'read-token');
    await page.close();
  }, 60_000);

  it('renders a run form from the params schema, shows errors next to the field, and resets it for another worker', async () => {
    const page = await signIn();
    await page.locator('tr[data-worker="d2-shop"]').click();
    await page.locator('[data-param=days]').waitFor();
    expect(await page.locator('[data-param=days]').getAttribute('type')).toBe('number');
    expect(await page.locator('[data-param=days]').getAttribute('max')).toBe('30');
    expect(await page.locator('[data-param=dryRun]').getAttribute('type')).toBe('checkbox');
    await page.fill('[data-param=shopId]', 's1');
    await page.fill('[data-param=days]', '40');
    await page.click('#run-form button[type=submit]');
    await expect.poll(() => page.locator('[data-error-for=days]').textContent()).toMatch(/days/);
    await page.fill('[data-param=days]', '3');
    await page.check('[data-param=dryRun]');
    await page.click('#run-form button[type=submit]');
    await expect.poll(() => page.locator('#run-message').textContent(), { timeout: 15_000 }).toMatch(/^[0-9a-f-]{36} succeeded/);
    expect(await page.locator('[data-error-for=days]').isVisible()).toBe(false);
    const first = page.locator('#executions tbody tr').first();
    await expect.poll(() => first.locator('[data-field=params]').textContent()).toBe('{"shopId":"s1","days":3,"dryRun":true}');
    expect(await first.locator('[data-field=triggered-by]').textContent()).toBe('ops');
    expect(await first.locator('[data-field=result]').textContent()).toBe('{"synced":"s1"}');
    await shot(page, 'params-form');

    await page.locator('tr[data-worker="d2-flaky"]').click();
    await page.locator('#run-params').waitFor();
    expect(await page.locator('[data-param]').count()).toBe(0);
    expect(await page.locator('#run-message').isVisible()).toBe(false);
    await page.locator('tr[data-worker="d2-shop"]').click();
    await page.locator('[data-param=days]').waitFor();
    expect(await page.locator('[data-param=days]').inputValue()).toBe('');
    await page.close();
  }, 60_000);

  it('follows a running job live in the logs panel', async () => {
    const page = await signIn();
    await page.locator('tr[data-worker="d2-tail"]').click();
    await page.locator('tr[data-worker="d2-tail"] button[data-action=run]').click();
    await expect.poll(() => page.locator('tr[data-worker="d2-tail"] [data-field=message]').textContent()).toMatch(/^(queued|running) [0-9a-f-]{36}$/);
    const row = page.locator('#executions tbody tr').first();
    await expect.poll(() => row.locator('[data-field=status]').textContent(), { timeout: 10_000 }).toBe('running');
    await row.click();
    await expect.poll(() => page.locator('#logs-live').textContent()).toBe('following live');
    for (const step of [1, 2, 3]) {
      await expect.poll(() => gates.length, { timeout: 10_000 }).toBe(1);
      gates.shift()!();
      await expect.poll(() => page.locator('#logs').textContent(), { timeout: 10_000 }).toContain(`step ${step} done`);
    }
    await expect.poll(() => page.locator('#logs-live').textContent(), { timeout: 10_000 }).toBe('run succeeded');
    // The row's "running <id>" message gave way to the run's own outcome.
    await expect.poll(() => page.locator('tr[data-worker="d2-tail"] [data-field=message]').textContent()).toMatch(/ succeeded in /);
    expect(await page.locator('#logs .log').count()).toBe(3);
    await shot(page, 'live-logs');
    await page.close();
  }, 60_000);

  it('retries a failed run from the failed view, with its error and stack shown', async () => {
    const id = await failedRun('upstream 502 from partner');
    const page = await signIn();
    await page.click('nav.tabs button[data-tab=failed]');
    await page.selectOption('#failed-worker', 'd2-flaky');
    await page.fill('#failed-q', 'upstream 502');
    await page.click('#failed-form button[type=submit]');
    const row = page.locator(`#failed tr[data-execution="${id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-field=error]').textContent()).toBe('upstream 502 from partner');
    await row.locator('td').nth(5).click();
    const details = page.locator(`#failed tr[data-details="${id}"]`);
    await expect.poll(() => details.locator('[data-field=stack]').textContent()).toMatch(/Error: upstream 502 from partner\s+at /);
    expect(await details.locator('[data-field=params]').textContent()).toContain('"fail": "upstream 502 from partner"');
    await row.locator('button[data-action=retry]').click();
    await expect.poll(() => row.locator('[data-field=message]').textContent(), { timeout: 15_000 }).toMatch(/^[0-9a-f-]{36} succeeded/);
    expect(await row.locator('button[data-action=retry]').count()).toBe(0);
    const original = await execution(id);
    expect(original.retriedAs).toEqual(expect.any(String));
    expect(await execution(String(original.retriedAs))).toMatchObject({ trigger: 'retry', parentExecutionId: id, triggeredBy: 'ops', status: 'succeeded' });
    await shot(page, 'failed-retry');
    await page.close();
  }, 60_000);

  it('bulk-retries every failed run of a worker matching the error text', async () => {
    const matching = [await failedRun('gateway timeout 1'), await failedRun('gateway timeout 2'), await failedRun('gateway timeout 3')];
    const other = await failedRun('bad signature');
    const page = await signIn();
    await page.click('nav.tabs button[data-tab=failed]');
    await page.selectOption('#failed-worker', 'd2-flaky');
    await page.fill('#failed-q', 'gateway timeout');
    await page.click('#failed-form button[type=submit]');
    await expect.poll(() => page.locator('#failed tbody tr[data-execution]').count()).toBe(3);
    await page.click('#failed-retry-all');
    await expect.poll(() => page.locator('#failed-bulk-message').textContent()).toBe('retried 3 run(s)');
    // The list is searched again without retried runs: nothing left to retry.
    await expect.poll(() => page.locator('#failed tbody tr[data-execution]').count()).toBe(0);
    for (const id of matching) expect((await execution(id)).retriedAs).toEqual(expect.any(String));
    expect((await execution(other)).retriedAs).toBeNull();
    await shot(page, 'bulk-retry');
    await page.close();
  }, 60_000);

  it("edits a worker's config value and shows its new source", async () => {
    const page = await signIn();
    await page.locator('tr[data-worker="d2-flaky"]').click();
    const row = page.locator('#config tr[data-config=D2_PAGE_LIMIT]');
    await row.waitFor();
    expect(await row.locator('[data-field=source]').textContent()).toBe('default');
    expect(await page.locator('#config tr[data-config=API_PAGE_SIZE]').count()).toBe(0);
    await row.locator('input[name=value]').fill('twelve');
    await row.locator('button[type=submit]').click();
    await expect.poll(() => row.locator('[data-field=message]').textContent()).toMatch(/not an integer/);
    await row.locator('input[name=value]').fill('12');
    await row.locator('button[type=submit]').click();
    const updated = page.locator('#config tr[data-config=D2_PAGE_LIMIT]');
    await expect.poll(() => updated.locator('[data-field=source]').textContent()).toBe('worker');
    expect(await updated.locator('[data-field=value]').textContent()).toBe('12');
    const view = (await api.app.inject({ method: 'GET', url: '/workers/d2-flaky/config', headers: asAdmin })).json() as { entries: Array<{ key: string; value: unknown; source: string }> };
    expect(view.entries.find((e) => e.key === 'D2_PAGE_LIMIT')).toMatchObject({ value: 12, source: 'worker' });
    await shot(page, 'config-edit');
    await updated.locator('button[data-action=reset-config]').click();
    await expect.poll(() => page.locator('#config tr[data-config=D2_PAGE_LIMIT] [data-field=source]').textContent()).toBe('default');
    await page.close();
  }, 60_000);

  it('offers no Start for a connected listener; Stop, then Start brings it back', async () => {
    const page = await signIn();
    const row = page.locator('tr[data-worker="d2-feed"]');
    await expect.poll(() => row.locator('[data-field=state]').textContent(), { timeout: 15_000 }).toBe('connected');
    expect(await row.locator('button[data-action=start]').isDisabled()).toBe(true);
    await row.locator('button[data-action=stop]').click();
    await expect.poll(() => row.locator('[data-field=state]').textContent(), { timeout: 15_000 }).toBe('stopped');
    expect(await row.locator('button[data-action=start]').isDisabled()).toBe(false);
    expect(await row.locator('button[data-action=stop]').isDisabled()).toBe(true);
    await row.locator('button[data-action=start]').click();
    await expect.poll(() => row.locator('[data-field=state]').textContent(), { timeout: 15_000 }).toBe('connected');
    expect(await row.locator('button[data-action=start]').isDisabled()).toBe(true);
    await page.close();
  }, 60_000);

  it('draws throughput and p95 charts from /stats', async () => {
    const now = Date.now();
    const rows: unknown[][] = [];
    for (let i = 0; i < 60; i++) {
      const queued = new Date(now - (i + 1) * 10 * 60_000);
      const status = i % 6 === 0 ? 'failed' : 'succeeded';
      rows.push([`0190b7a0-0000-7000-8000-${String(i).padStart(12, '0')}`, 'd2-shop', 'cron', status, 1, queued, new Date(queued.getTime() + 50), new Date(queued.getTime() + 50 + 100 * (i % 10 + 1)), 100 * (i % 10 + 1)]);
    }
    await api.h.pool.query('INSERT INTO executions (id, worker_id, `trigger`, status, attempt, queued_at, started_at, finished_at, duration_ms) VALUES ?', [rows]);
    const page = await signIn();
    await page.locator('tr[data-worker="d2-shop"]').click();
    await expect.poll(async () => Number(await page.locator('#charts').getAttribute('data-total'))).toBeGreaterThanOrEqual(60);
    expect(await page.locator('#charts canvas').count()).toBe(2);
    const legend = await page.locator('#charts [data-chart=throughput] .u-legend').textContent();
    expect(legend).toContain('failed');
    expect(legend).toContain('succeeded');
    // The series were drawn: pixels in the succeeded colour (#1f9d55) on the throughput chart, p95 red (#d64545) on the other.
    // (The test's tsconfig has no DOM lib: the canvas is typed by what is used of it.)
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const colour = (chart: string, [r, g, b]: number[]) => page.locator(`#charts [data-chart=${chart}] canvas`).evaluate((c, rgb) => {
      const canvas = c as unknown as Canvas;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - rgb[0]) < 24 && Math.abs(data[i + 1] - rgb[1]) < 24 && Math.abs(data[i + 2] - rgb[2]) < 24 && data[i + 3] > 200) n++;
      return n;
    }, [r, g, b]);
    expect(await colour('throughput', [0x1f, 0x9d, 0x55])).toBeGreaterThan(50);
    expect(await colour('p95', [0xd6, 0x45, 0x45])).toBeGreaterThan(50);
    expect(await page.locator('#charts-zone').textContent()).toMatch(/times in \S+/);
    await shot(page, 'charts');
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
