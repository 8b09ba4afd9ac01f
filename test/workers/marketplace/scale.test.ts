/**
 * The 90-day acceptance sync: three shops (one per platform), 20,070 orders in all, run by two worker processes.
 * The fakes enforce 300 requests/s per API per shop here (the limiter reads the same settings), six times the
 * documented limits, so the run takes seconds instead of minutes; at 50/s it would be bound to 2+ minutes by the
 * one tracking call per order. `npm run bench -- sync` runs the documented limits.
 *
 * The workers run with a V8 old-space cap of 128 MB, as a container would set it: without one, V8 lets the heap
 * grow with the allocation rate (a longer run at the same rate reaches a higher peak of garbage, not of live data),
 * so an uncapped peak RSS measures the collector's laziness. Capped, a range-dependent retention would show as
 * RSS growth or end the 90-day run out of memory.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, ENTITY_KEY, type Entity } from '../../../plugins/marketplace-dto';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { ROOT, spawnChild, type Child } from '../../support/child';
import { fakeCounts, startMarket, type MarketFixture } from './market-fixture';

const DAYS = { from: '2024-01-01', to: '2024-03-30' };
const PER_DAY: Record<PlatformName, number> = { tiktok: 75, shopee: 74, lazada: 74 };
const shop = (p: PlatformName) => ({ ordersPerDay: PER_DAY[p], ...DAYS, products: 40, malformedEvery: 97 });
const LIMIT = 300;
const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];

describe('90-day sync of three shops across two worker processes', () => {
  let f: MarketFixture;
  let workers: Child[] = [];
  beforeAll(async () => {
    f = await startMarket('mktscale', {
      shops: { tiktok: shop('tiktok'), shopee: shop('shopee'), lazada: shop('lazada') }, noWorker: true,
      // Lazada pages /orders/get to offset 100 only: a 3-day chunk (222 orders) is split in halves.
      fakes: { tiktok: { limitPerSec: LIMIT }, shopee: { limitPerSec: LIMIT }, lazada: { limitPerSec: LIMIT, maxOffset: 100 } },
      env: { SYNC_CHUNK_DAYS: '3', SYNC_BATCH_SIZE: '100', SYNC_CHUNK_CONCURRENCY: '6', LOG_FORMAT: 'json' },
    });
    const worker = (): Child => spawnChild(['--max-old-space-size=128', '--import', 'tsx', 'run-worker.ts'], { cwd: ROOT, env: { ...process.env, ...f.env }, name: 'worker', waitTimeoutMs: 45_000 });
    workers = [worker(), worker()];
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
    const sync = await f.sync(DAYS, 240_000);
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
    expect(sync.counts.orders.fetched).toBe(90 * (PER_DAY.tiktok + PER_DAY.shopee + PER_DAY.lazada));
    expect(sync.counts.orders.fetched).toBeGreaterThanOrEqual(20_000);
    // Both processes ran chunks.
    const ran = await f.container.core.pool.query(`SELECT COUNT(DISTINCT JSON_EXTRACT(result, '$.chunkId')) AS n FROM executions WHERE worker_id = 'marketplace-chunk' AND status = 'succeeded'`);
    expect(Number((ran[0] as Array<{ n: number }>)[0].n)).toBe(90 + 12);
    expect(workers.every((w) => w.lines.some((l) => l.includes('marketplace-chunk')))).toBe(true);
  }, 300_000);
});
