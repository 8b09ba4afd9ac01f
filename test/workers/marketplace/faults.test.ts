import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../../plugins/marketplace-dto';
import { eventually } from '../../support/isolation';
import { fakeCounts, startMarket, SHOP_IDS, type MarketFixture } from './market-fixture';

const shop = { ordersPerDay: 30, from: '2024-04-01', to: '2024-04-04', products: 10 };
const RANGE = { from: '2024-04-01', to: '2024-04-04' };

describe('marketplace sync under faults', () => {
  let f: MarketFixture;
  beforeAll(async () => {
    f = await startMarket('mktfaults', { shops: { tiktok: shop, shopee: shop, lazada: shop }, env: { SYNC_BATCH_SIZE: '40', MARKET_HTTP_ATTEMPTS: '8' } });
  });
  afterAll(async () => f?.close());
  beforeEach(async () => {
    for (const e of Object.values(COLLECTIONS)) await f.db.collection(e).deleteMany({});
  });

  async function expectComplete(platforms: Array<'tiktok' | 'shopee' | 'lazada'> = ['tiktok', 'shopee', 'lazada']): Promise<void> {
    for (const p of platforms) {
      const want = fakeCounts(f, p);
      for (const [entity, n] of Object.entries(want)) expect(await f.count(entity as never, p), `${p} ${entity}`).toBe(n);
      expect(f.fakes[p].totalViolations(), `${p} violations`).toBe(0);
    }
  }

  it('retries 429 bursts, 5xx and slow answers with backoff and completes', async () => {
    f.fakes.tiktok.script({ kind: 'rate-limit', times: 4, path: '/order/202309/orders' });
    f.fakes.tiktok.script({ kind: 'server-error', times: 2, status: 503, path: '/finance/202309/statements' });
    f.fakes.shopee.script({ kind: 'rate-limit', times: 3, path: '/logistics/get_tracking_info' });
    f.fakes.shopee.script({ kind: 'server-error', times: 3, status: 500, path: '/order/get_order_detail' });
    f.fakes.lazada.script({ kind: 'rate-limit', times: 2, path: '/orders/items/get' });
    f.fakes.lazada.script({ kind: 'slow', times: 3, delayMs: 400, path: '/orders/get' });
    const sync = await f.sync(RANGE, 60_000);
    expect(sync).toMatchObject({ status: 'completed', chunks_failed: 0 });
    expect(sync.rate_limited).toBeGreaterThanOrEqual(9);
    expect(sync.retries).toBeGreaterThanOrEqual(14);
    expect(f.fakes.tiktok.faults).toEqual([]);
    await expectComplete();
  });

  it('refreshes an expired token once, stores the new pair and repeats the call', async () => {
    const before = { shopee: f.fakes.shopee.shop(SHOP_IDS.shopee).refreshes, lazada: f.fakes.lazada.shop(SHOP_IDS.lazada).refreshes };
    f.fakes.shopee.expireToken(SHOP_IDS.shopee);
    f.fakes.lazada.expireToken(SHOP_IDS.lazada);
    // The store still holds the old tokens: every chunk meets an expired token, one refresh serves them all.
    const sync = await f.sync({ ...RANGE, shopIds: [f.shopIds.shopee, f.shopIds.lazada] });
    expect(sync).toMatchObject({ status: 'completed', chunks_failed: 0, token_refreshes: 2 });
    expect(f.fakes.shopee.shop(SHOP_IDS.shopee).refreshes).toBe(before.shopee + 1);
    expect(f.fakes.lazada.shop(SHOP_IDS.lazada).refreshes).toBe(before.lazada + 1);
    await expectComplete(['shopee', 'lazada']);
  });

  it('fails only the chunk that met a non-retryable error, with the platform message; retry-failed completes the sync', async () => {
    f.fakes.tiktok.script({ kind: 'fail', times: 1, code: '36009003', message: 'Invalid param: shop is not authorized for this region', path: '/return_refund/202309/returns/search' });
    const sync = await f.sync(RANGE, 60_000);
    expect(sync).toMatchObject({ status: 'completed_with_errors', chunks_failed: 1, chunks_succeeded: 11 });
    expect(sync.problem_days.failed).toHaveLength(1);
    expect(sync.errors.join('\n')).toMatch(/36009003 Invalid param: shop is not authorized/);
    const chunks = await f.svc.syncLog.chunksOf(sync._id);
    expect(chunks.filter((c) => c.status === 'failed')).toEqual([expect.objectContaining({ platform: 'tiktok', error: expect.stringContaining('36009003') })]);
    const reopened = await f.svc.syncLog.reopenFailed(sync._id);
    await f.container.dispatcher.enqueue('marketplace-chunk', { chunkId: reopened[0]._id }, { jobId: `retry-${reopened[0]._id}` });
    const after = await eventually(async () => {
      const s = await f.svc.syncLog.getSync(sync._id);
      return s?.status === 'completed' ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the retried sync to complete' });
    expect(after).toMatchObject({ chunks_failed: 0, chunks_succeeded: 12 });
    await expectComplete();
  });

  it('buffers batches while MongoDB writes fail, replays them at the end, and the counts equal the fakes', async () => {
    const id = await f.startSync(RANGE);
    // Once data is flowing, MongoDB refuses writes (a few at a time, until a data batch was hit): data batches go
    // to the buffer, sync-log writes retry.
    await eventually(async () => (await f.db.collection('orders').countDocuments()) > 0, { timeoutMs: 30_000, intervalMs: 20 });
    await eventually(async () => {
      const hit = (await f.svc.buffer.pending()).length > 0 || ((await f.svc.syncLog.getSync(id))?.buffer.saved ?? 0) > 0;
      if (!hit) f.mongo.faults.failNextWrites(3, { code: 112, errmsg: 'WriteConflict (fault injection)' });
      return hit;
    }, { timeoutMs: 30_000, intervalMs: 100, what: 'a data batch to be buffered' });
    f.mongo.faults.clear();
    const sync = await f.waitSync(id, 60_000);
    expect(sync.status).toBe('completed');
    expect(sync.buffer.saved).toBeGreaterThan(0);
    expect(sync.buffer).toMatchObject({ replayed: sync.buffer.saved, quarantined: 0, pending: 0 });
    expect(sync.problem_days.buffered.length).toBeGreaterThan(0);
    expect(await f.svc.buffer.pending()).toEqual([]);
    await expectComplete();
  });
});
