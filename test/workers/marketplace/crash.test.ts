/**
 * Nothing lost when a worker dies: MongoDB refuses writes mid-sync (the test server's fault injection), so batches
 * go to the sync buffer; the worker process is SIGKILLed with that buffer non-empty; two new worker processes boot
 * at once. Their boot hooks replay the buffer — each batch applied by one of them only — the chunks the dead worker
 * held run again, and the stored documents equal the fakes'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, ENTITY_KEY, type Entity } from '../../../plugins/marketplace-dto';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { killAll, spawnTs, type Child } from '../../support/child';
import { eventually } from '../../support/isolation';
import { fakeCounts, startMarket, type MarketFixture } from './market-fixture';

const RANGE = { from: '2024-05-01', to: '2024-05-08' };
const shop = { ordersPerDay: 40, ...RANGE, products: 10 };
const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];
const BOOT_REPLAY = /replayed the sync buffer at boot: (\d+) batch\(es\) written/;

describe('a worker killed with a non-empty sync buffer', () => {
  let f: MarketFixture;
  const children: Child[] = [];
  const worker = (): Child => {
    const c = spawnTs('run-worker.ts', { ...f.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
    children.push(c);
    return c;
  };
  beforeAll(async () => {
    f = await startMarket('mktcrash', {
      shops: { tiktok: shop, shopee: shop, lazada: shop }, noWorker: true,
      // A dead worker's chunk jobs go back to the queue once their Bull lock (6 s) lapses; shorter, a live worker
      // stalled by a loaded machine could lose a running chunk's lock too, and the chunk would run twice at once.
      env: { SYNC_BATCH_SIZE: '20', SYNC_CHUNK_CONCURRENCY: '3', QUEUE_LOCK_DURATION_MS: '6000', QUEUE_STALLED_INTERVAL_MS: '1000' },
    });
  });
  afterAll(async () => {
    await killAll(children);
    await f?.close();
  });

  it('is replayed by the next workers at boot, each batch once, and the sync completes with the fakes\' counts', async () => {
    const a = worker();
    await a.waitForLine(/worker consuming/, 45_000);
    const syncId = await f.startSync(RANGE);
    await eventually(async () => (await f.db.collection('orders').countDocuments()) > 0, { timeoutMs: 30_000, intervalMs: 20, what: 'orders to be stored' });
    // MongoDB refuses a few writes at a time until data batches were buffered (sync-log writes retry meanwhile).
    await eventually(async () => {
      const saved = (await f.svc.buffer.pending()).length;
      if (saved < 2) f.mongo.faults.failNextWrites(4, { code: 112, errmsg: 'WriteConflict (fault injection)' });
      return saved >= 2;
    }, { timeoutMs: 30_000, intervalMs: 50, what: 'two data batches to be buffered' });
    a.kill('SIGKILL');
    expect(await a.exited).toMatchObject({ signal: 'SIGKILL' });
    f.mongo.faults.clear();

    const left = await f.svc.buffer.pending();
    expect(left.length).toBeGreaterThanOrEqual(2);
    const before = await f.svc.syncLog.getSync(syncId);
    expect(before?.status).toBe('running');
    expect(before!.chunks_succeeded + before!.chunks_failed).toBeLessThan(before!.chunks_total);

    // Two workers of the deployment boot at once on the same buffer.
    const [b, c] = [worker(), worker()];
    await Promise.all([b.waitForLine(/worker consuming/, 45_000), c.waitForLine(/worker consuming/, 45_000)]);
    const sync = await f.waitSync(syncId, 90_000);

    const written = [b, c].map((w) => w.lines.map((l) => BOOT_REPLAY.exec(l)).filter((m) => m !== null).reduce((n, m) => n + Number(m[1]), 0));
    expect(written[0] + written[1], `boot replays wrote ${written.join(' + ')} of ${left.length} batches`).toBe(left.length);
    expect(await f.svc.buffer.pending()).toEqual([]);
    expect(await f.svc.buffer.quarantined()).toEqual([]);
    // The summary beside the buffer, merged under its lock by the three processes: each batch replayed once.
    expect((await f.svc.summaries.read(syncId))?.counters.replayed).toBe(left.length);
    const { status, chunks_total, chunks_succeeded, chunks_failed, buffer, errors } = sync;
    expect({ status, chunks_succeeded, chunks_failed, buffer, errors }).toEqual({ status: 'completed', chunks_succeeded: chunks_total, chunks_failed: 0, buffer: { saved: left.length, replayed: left.length, quarantined: 0, pending: 0 }, errors: [] });
    expect(sync.problem_days.buffered.length).toBeGreaterThan(0);
    // The dead worker's chunks ran again.
    const chunks = await f.svc.syncLog.chunksOf(syncId);
    expect(chunks.some((ch) => ch.runs > 1)).toBe(true);

    for (const p of PLATFORMS) {
      for (const [e, n] of Object.entries(fakeCounts(f, p))) expect(await f.count(e as Entity, p), `${p} ${e}`).toBe(n);
      expect(f.fakes[p].totalViolations(), `${p} violations`).toBe(0);
    }
    for (const e of Object.keys(COLLECTIONS) as Entity[]) {
      const dups = await f.db.collection(COLLECTIONS[e]).aggregate([{ $group: { _id: { k: `$${ENTITY_KEY[e]}`, s: '$shop_id' }, n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]).toArray();
      expect(dups, e).toEqual([]);
    }
  }, 180_000);
});
