import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../app/core/runtime/container';
import { defineSettings } from '../../app/config/settings';
import { createTestEnv, type TestEnv } from '../support/isolation';
import { spawnTs, type Child } from '../support/child';
import { registryOf } from '../support/harness';

defineSettings({ CRAWL_PAGE_SIZE: { type: 'int', default: 50, description: 'test setting' } });

let t: TestEnv;
let c: Container;
const children: Child[] = [];

beforeAll(async () => {
  t = createTestEnv('config');
  c = new Container({ role: 'test', env: { ...process.env, ...t.env, CRAWL_PAGE_SIZE: '75', SOME_SERVICE_TOKEN: 'canary-123' }, registry: registryOf([]), console: false });
  await c.init();
});
afterAll(async () => {
  for (const ch of children) ch.kill('SIGKILL');
  await c?.close();
  await t?.cleanup();
});

describe('config chain', () => {
  it('resolves worker row > global row > env > default, typed, with the source of each', async () => {
    expect(c.config.resolve('JOB_ATTEMPTS', 'w1')).toEqual({ value: 1, source: 'default' });
    expect(c.config.resolve('CRAWL_PAGE_SIZE', 'w1')).toEqual({ value: 75, source: 'env' });
    await c.config.set('CRAWL_PAGE_SIZE', 100);
    expect(c.config.resolve('CRAWL_PAGE_SIZE', 'w1')).toEqual({ value: 100, source: 'global' });
    await c.config.set('CRAWL_PAGE_SIZE', 200, 'w1');
    expect(c.config.resolve('CRAWL_PAGE_SIZE', 'w1')).toEqual({ value: 200, source: 'worker' });
    expect(c.config.resolve('CRAWL_PAGE_SIZE', 'w2')).toEqual({ value: 100, source: 'global' });
    await c.config.set('FEATURE', { pages: [1, 2], on: true }, 'w1');
    expect(c.config.forWorker('w1').get('FEATURE')).toEqual({ pages: [1, 2], on: true });
    expect(await c.config.remove('CRAWL_PAGE_SIZE', 'w1')).toBe(true);
    expect(c.config.resolve('CRAWL_PAGE_SIZE', 'w1')).toEqual({ value: 100, source: 'global' });
    expect(await c.config.remove('CRAWL_PAGE_SIZE', 'w1')).toBe(false);
  });

  it('keeps one global row per key (NULL worker ids do not repeat)', async () => {
    await c.config.set('ONE_ROW', 1);
    await c.config.set('ONE_ROW', 2);
    const [rows] = await c.core.pool.query('SELECT value FROM worker_configs WHERE worker_id IS NULL AND `key` = ?', ['ONE_ROW']);
    expect(rows).toHaveLength(1);
    expect(c.config.get('ONE_ROW')).toBe(2);
  });

  it('lists every effective key with its source and masks secrets', async () => {
    const view = c.config.effective('w1');
    expect(view.find((e) => e.key === 'FEATURE')).toMatchObject({ source: 'worker' });
    expect(view.find((e) => e.key === 'API_PORT')).toMatchObject({ value: 8686, source: 'default' });
    await c.config.set('PARTNER_SECRET', 'canary-secret-value');
    const secret = c.config.effective('w1').find((e) => e.key === 'PARTNER_SECRET');
    expect(secret).toMatchObject({ value: '***', secret: true, source: 'global' });
    expect(JSON.stringify(c.config.effective('w1'))).not.toContain('canary-secret-value');
  });

  it('a change made in one process is seen by another within 1 s', async () => {
    const child = spawnTs('test/support/scripts/config-watch.ts', t.env, ['CRAWL_PAGE_SIZE', 'w9']);
    children.push(child);
    await child.waitForLine(/^ready value=.*"source":"global"/);
    const started = Date.now();
    await c.config.set('CRAWL_PAGE_SIZE', 333, 'w9');
    await child.waitForLine(/value=\{"value":333,"source":"worker"\}/, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    await c.config.remove('CRAWL_PAGE_SIZE', 'w9');
    await child.waitForLine(/value=\{"value":100,"source":"global"\}/, 1_000);
  });
});
