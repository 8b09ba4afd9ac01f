/**
 * The 90-day acceptance sync, sized for the suite: three shops (one per platform) over 90 days, run by two worker
 * processes. The 20,000-order run with its RSS figures is `npm run bench -- sync` (bench/sync.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, ENTITY_KEY, type Entity } from '../../../plugins/marketplace-dto';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { spawnTs, type Child } from '../../support/child';
import { fakeCounts, startMarket, type MarketFixture } from './market-fixture';

const DAYS = { from: '2024-01-01', to: '2024-03-30' };
const shop = { ordersPerDay: 8, ...DAYS, products: 40, malformedEvery: 97 };
const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];

describe('90-day sync of three shops across two worker processes', () => {
  let f: MarketFixture;
  let workers: Child[] = [];
  beforeAll(async () => {
    f = await startMarket('mktscale', {
      shops: { tiktok: shop, shopee: shop, lazada: shop }, noWorker: true,
      // Raised limits keep the file short; the bench runs the fakes at their documented limits.
      fakes: { tiktok: { limitPerSec: 300 }, shopee: { limitPerSec: 300 }, lazada: { limitPerSec: 300, maxOffset: 200 } },
      env: { SYNC_CHUNK_DAYS: '3', SYNC_BATCH_SIZE: '100', SYNC_CHUNK_CONCURRENCY: '3', LOG_FORMAT: 'json' },
    });
    workers = [spawnTs('run-worker.ts', f.env), spawnTs('run-worker.ts', f.env)];
    await Promise.all(workers.map((w) => w.waitForLine(/worker consuming/, 45_000)));
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await f?.close();
  });

  /** Peak resident memory of the worker processes (VmHWM), MB. */
  function peakRssMb(): number[] {
    return workers.map((w) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${w.proc.pid}/status`, 'utf8'))![1]) / 1024);
  }

  it('stores exactly what the fakes hold, each document once, with no request over a limit; memory does not grow with the range', async () => {
    const ten = await f.sync({ from: DAYS.from, to: '2024-01-10' }, 60_000);
    expect(ten).toMatchObject({ status: 'completed', chunks_failed: 0 });
    const after10 = peakRssMb();
    const sync = await f.sync(DAYS, 120_000);
    const after90 = peakRssMb();
    for (const [i, mb] of after90.entries()) expect(mb - after10[i], `worker ${i} peak RSS ${after10[i].toFixed(0)} → ${mb.toFixed(0)} MB`).toBeLessThan(50);
    expect(sync).toMatchObject({ status: 'completed', chunks_total: 90, chunks_succeeded: 90, chunks_failed: 0 });
    for (const p of PLATFORMS) {
      const want = fakeCounts(f, p);
      for (const [e, n] of Object.entries(want)) expect(await f.count(e as Entity, p), `${p} ${e}`).toBe(n);
      expect(f.fakes[p].totalViolations(), `${p} violations`).toBe(0);
    }
    for (const e of Object.keys(COLLECTIONS) as Entity[]) {
      const dups = await f.db.collection(COLLECTIONS[e]).aggregate([{ $group: { _id: { k: `$${ENTITY_KEY[e]}`, s: '$shop_id', c: '$channel_id' }, n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]).toArray();
      expect(dups, e).toEqual([]);
    }
    expect(sync.counts.orders.fetched).toBe(3 * 90 * 8);
    // Both processes ran chunks.
    const ran = await f.container.core.pool.query(`SELECT COUNT(DISTINCT JSON_EXTRACT(result, '$.chunkId')) AS n FROM executions WHERE worker_id = 'marketplace-chunk' AND status = 'succeeded'`);
    expect(Number((ran[0] as Array<{ n: number }>)[0].n)).toBe(90 + 12);
    expect(workers.every((w) => w.lines.some((l) => l.includes('marketplace-chunk')))).toBe(true);
  });
});
