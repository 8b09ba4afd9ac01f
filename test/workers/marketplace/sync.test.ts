import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128 } from 'mongodb';
import { COLLECTIONS, type Entity } from '../../../plugins/marketplace-dto';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { fakeCounts, startMarket, SHOP_IDS, type MarketFixture } from './market-fixture';

const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];
const ENTITIES: Entity[] = ['orders', 'order_tracking', 'transactions', 'returns', 'products'];
const shop = { ordersPerDay: 24, from: '2024-03-01', to: '2024-03-06', products: 120, malformedEvery: 50 };

describe('marketplace sync: three shops, one per platform', () => {
  let f: MarketFixture;
  beforeAll(async () => {
    f = await startMarket('mktsync', {
      shops: { tiktok: shop, shopee: shop, lazada: shop },
      // Lazada pages /orders/get to offset 40 only here, so days with more orders force window splits.
      fakes: { lazada: { maxOffset: 40 } },
      env: { SYNC_CHUNK_DAYS: '2', SYNC_BATCH_SIZE: '60' },
    });
  });
  afterAll(async () => f?.close());

  it('stores every entity the fakes hold, once, with the fakes seeing no request over their limits', async () => {
    const sync = await f.sync({ from: '2024-03-01', to: '2024-03-06' });
    expect(sync).toMatchObject({ status: 'completed', chunks_total: 9, chunks_succeeded: 9, chunks_failed: 0 });
    for (const p of PLATFORMS) {
      const expected = fakeCounts(f, p);
      for (const e of ENTITIES) expect(await f.count(e, p), `${p} ${e}`).toBe(expected[e]);
      expect(f.fakes[p].totalViolations(), `${p} violations`).toBe(0);
    }
    for (const e of ENTITIES) {
      const dup = await f.db.collection(COLLECTIONS[e]).aggregate([{ $group: { _id: { k: `$${e === 'transactions' ? 'transaction_id' : e === 'returns' ? 'return_id' : e === 'products' ? 'product_id' : 'order_id'}`, s: '$shop_id' }, n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]).toArray();
      expect(dup, e).toEqual([]);
    }
    expect(sync.counts.orders.fetched).toBe(3 * 6 * 24);
    expect(sync.counts.orders.inserted).toBe(3 * 6 * 24);
    expect(sync.counts.orders.invalid).toBe(PLATFORMS.reduce((n, p) => n + f.fakes[p].shop(SHOP_IDS[p]).data.orders.filter((o) => o.malformed).length, 0));
    expect(sync.api_calls.orders_detail).toBeGreaterThan(0);
  });

  it('writes documents with Decimal128 money, +07:00 times and the metadata', async () => {
    for (const p of PLATFORMS) {
      const o = await f.db.collection('orders').findOne({ shop_id: SHOP_IDS[p], is_valid: true });
      expect(o, p).toMatchObject({ platform: p, shop_id: SHOP_IDS[p], channel_id: `${p}-${SHOP_IDS[p]}`, is_valid: true, validation_errors: [] });
      expect(o!.total_amount, p).toBeInstanceOf(Decimal128);
      expect(o!.create_time, p).toMatch(/^2024-03-0\dT\d{2}:\d{2}:\d{2}\+07:00$/);
      expect(o!.synced_at, p).toBeTruthy();
      expect(o!.details_fetched_at, p).toBeTruthy();
      expect(Array.isArray(o!.items) && o!.items.length > 0, p).toBe(true);
    }
  });

  it('keeps invalid records with their errors and raw values', async () => {
    for (const p of PLATFORMS) {
      const bad = await f.db.collection('orders').findOne({ shop_id: SHOP_IDS[p], is_valid: false });
      expect(bad, p).toBeTruthy();
      expect(bad!.validation_errors.length, p).toBeGreaterThan(0);
      expect(Object.keys(bad!.raw_fields ?? {}).length, p).toBeGreaterThan(0);
    }
  });

  it('re-syncing writes no product and counts unchanged orders', async () => {
    const before = await f.db.collection('products').find({ shop_id: SHOP_IDS.shopee }).project({ synced_at: 1 }).toArray();
    const sync = await f.sync({ from: '2024-03-01', to: '2024-03-06' });
    expect(sync.status).toBe('completed');
    expect(sync.counts.products).toMatchObject({ fetched: 0, inserted: 0, updated: 0 });
    expect(sync.counts.products.unchanged).toBe(3 * 120);
    expect(sync.counts.orders.inserted).toBe(0);
    const after = await f.db.collection('products').find({ shop_id: SHOP_IDS.shopee }).project({ synced_at: 1 }).toArray();
    expect(after).toEqual(before);
    // No product base-info call for unchanged Shopee items.
    expect(sync.api_calls.product_base_info ?? 0).toBe(0);
  });

  it('two runs of one chunk at once (a lost lock) count it once, and a job delivered again after the count does nothing', async () => {
    const syncId = `twice-${Date.now()}`;
    await f.svc.syncLog.createSync({ _id: syncId, trigger: 'manual', platform: 'lazada', shop_ids: [], from: '2024-03-03', to: '2024-03-04' });
    const [job] = await f.svc.plan({ syncId, platform: 'lazada', from: '2024-03-03', to: '2024-03-04' });
    const { chunkId } = job.params!;
    const runs = await Promise.all([f.svc.runChunk(chunkId), f.svc.runChunk(chunkId)]);
    expect(runs.every((r) => 'counts' in r)).toBe(true);
    const sync = await f.svc.syncLog.getSync(syncId);
    const orders = 2 * 24;
    expect(sync).toMatchObject({ status: 'completed', chunks_total: 1, chunks_succeeded: 1, chunks_failed: 0 });
    expect(sync!.counts.orders.fetched).toBe(orders);
    const [chunk] = await f.svc.syncLog.chunksOf(syncId);
    expect(chunk).toMatchObject({ status: 'succeeded', runs: 2 });
    expect(chunk.counts.orders.fetched).toBe(orders);

    const calls = f.fakes.lazada.requests();
    expect(await f.svc.runChunk(chunkId)).toEqual({ alreadyFinished: 'succeeded' });
    expect(f.fakes.lazada.requests()).toBe(calls);
    expect(await f.svc.syncLog.getSync(syncId)).toEqual(sync);
    expect((await f.svc.syncLog.chunksOf(syncId))[0]).toEqual(chunk);
  });

  it('plans chunks round robin over the shops, so the chunk slots go to every shop at once', async () => {
    const syncId = `order-${Date.now()}`;
    await f.svc.syncLog.createSync({ _id: syncId, trigger: 'manual', platform: null, shop_ids: [], from: '2024-03-01', to: '2024-03-06' });
    const jobs = await f.svc.plan({ syncId, from: '2024-03-01', to: '2024-03-06' });
    const chunks = new Map((await f.svc.syncLog.chunksOf(syncId)).map((c) => [c._id, c]));
    const order = jobs.map((j) => chunks.get(j.params!.chunkId)!);
    const shops = [...new Set(order.map((c) => c.shop))];
    expect(shops).toHaveLength(3);
    // Three chunks of two days per shop: every shop's first chunk, then every shop's second, then the third.
    expect(order.map((c) => c.shop)).toEqual([...shops, ...shops, ...shops]);
    expect(order.map((c) => c.from)).toEqual(['2024-03-01', '2024-03-01', '2024-03-01', '2024-03-03', '2024-03-03', '2024-03-03', '2024-03-05', '2024-03-05', '2024-03-05']);
    expect(order.slice(0, 3).every((c) => c.first)).toBe(true);
  });
});
