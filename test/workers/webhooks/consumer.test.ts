/**
 * The webhook-events consumer end to end (intake → stream → consumer → MongoDB): 10,000 signed pushes for 2,000
 * orders of two TikTok shops, status changes out of order, 20 % duplicates, a tenth of the orders unknown to
 * MongoDB — fetched by the marketplace plugin's detail source (registered by its worker-boot hook) through the
 * TikTok adapter and the shops store's tokens from the fake over HTTP, at most ceil(unknown / 50) detail calls per shop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecord } from '../../../plugins/market-records';
import { asAdmin } from '../../api/api-harness';
import { eventually } from '../../support/isolation';
import { startWebhookWorld, type WebhookWorld } from './webhook-world';
import type { OrderPush } from './senders';

const SHOPS = ['7101', '7102'];
const STATUSES = ['AWAITING_SHIPMENT', 'AWAITING_COLLECTION', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED'];
let w: WebhookWorld;

/** A deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

beforeAll(async () => {
  w = await startWebhookWorld('wh_consumer', { tiktok: SHOPS.map((shopId) => ({ shopId, ordersPerDay: 100, from: '2024-03-01', to: '2024-03-10' })) }, {
    env: { WEBHOOK_BATCH_SIZE: '5000', WEBHOOK_CONCURRENCY: '2', WEBHOOK_DETAIL_WAIT_MS: '6000' },
  });
});
afterAll(async () => {
  await w?.close();
});

const control = (action: string) => w.app.inject({ method: 'POST', url: `/workers/webhook-events/${action}`, headers: asAdmin });
const group = async () => {
  const [g] = (await w.c.redis.call('XINFO', 'GROUPS', w.streamKey)) as Array<Array<string | number>>;
  const o = Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]]));
  return { pending: Number(o.pending), lag: Number(o.lag) };
};

describe('webhook-events consumer', () => {
  it('10,000 pushes for 2,000 orders: each order once with its latest status; unknown ones fetched in calls of 50', async () => {
    const random = rng(14);
    const orders = SHOPS.flatMap((shopId) => w.fake.shop(shopId).data.orders.map((o) => ({ shopId, o })));
    expect(orders).toHaveLength(2_000);
    const unknown = new Set(orders.filter((_, i) => i % 10 === 3).map(({ o }) => o.id));
    // The known 90 % are in MongoDB as the sync stored them (older than every push).
    const now = Math.floor(Date.now() / 1000);
    const coll = w.db.collection('orders');
    await coll.insertMany(orders.filter(({ o }) => !unknown.has(o.id)).map(({ shopId, o }) =>
      toRecord({ platform: 'tiktok', shopId, channelId: 'tiktok' }, 'orders', { id: o.id, status: 'UNPAID', update_time: now - 10_000 })));
    // Four status changes per order at increasing times, in a shuffled order, plus 20 % duplicates.
    const latest = new Map<string, string>();
    const pushes: OrderPush[] = [];
    for (const { shopId, o } of orders) {
      const statuses = [...STATUSES].sort(() => random() - 0.5).slice(0, 4);
      statuses.forEach((status, k) => pushes.push({ shopId, orderId: o.id, status, updateTime: now - 1_000 + k * 10 }));
      latest.set(o.id, statuses[3]);
    }
    for (let i = pushes.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pushes[i], pushes[j]] = [pushes[j], pushes[i]];
    }
    const all = [...pushes, ...Array.from({ length: 2_000 }, () => pushes[Math.floor(random() * pushes.length)])].sort(() => random() - 0.5);
    expect(all).toHaveLength(10_000);

    // Pushes queue while the consumer is stopped (it then drains the backlog with 2 batches in hand; their new ids share detail calls within WEBHOOK_DETAIL_WAIT_MS).
    const live = async () => (await w.c.mirror.liveState('webhook-events')).state;
    await eventually(async () => (await live()) === 'consuming', { what: 'the consumer running' });
    expect((await control('stop')).statusCode).toBe(202);
    // The stop is asynchronous: pushes sent before it took effect would be read at once, not as a backlog.
    await eventually(async () => (await live()) === 'stopped', { what: 'the consumer stopped' });
    for (let i = 0; i < all.length; i += 200) {
      const codes = await Promise.all(all.slice(i, i + 200).map((p) => w.push('tiktok', p)));
      expect(codes.every((c) => c === 200)).toBe(true);
    }
    expect(await w.c.redis.xlen(w.streamKey)).toBe(10_000);
    expect((await control('start')).statusCode).toBe(202);
    await eventually(async () => {
      const g = await group();
      return g.pending === 0 && g.lag === 0;
    }, { what: 'the stream drained', timeoutMs: 40_000, intervalMs: 200 });

    const docs = await coll.find({}, { projection: { _id: 0, order_id: 1, shop_id: 1, status: 1 } }).toArray();
    expect(docs).toHaveLength(2_000);
    expect(new Set(docs.map((d) => `${d.shop_id}:${d.order_id}`)).size).toBe(2_000);
    const wrong = docs.filter((d) => d.status !== latest.get(d.order_id));
    expect(wrong).toEqual([]);
    for (const shopId of SHOPS) {
      const unknownHere = orders.filter(({ shopId: s, o }) => s === shopId && unknown.has(o.id)).length;
      expect(unknownHere).toBe(100);
      expect(w.detailCalls('tiktok', shopId)).toBeGreaterThan(0);
      expect(w.detailCalls('tiktok', shopId)).toBeLessThanOrEqual(Math.ceil(unknownHere / 50));
    }
    expect(w.fake.requests('/order/202309/orders')).toBe(SHOPS.reduce((n, shopId) => n + w.detailCalls('tiktok', shopId), 0));
    // Fetched records carry the detail and the audit metadata; nothing went to the dead-letter stream.
    const fetched = await coll.findOne({ order_id: [...unknown][0] });
    expect(fetched).toMatchObject({ platform: 'tiktok', channel_id: 'tiktok', items: expect.any(Array), is_valid: true, details_fetched_at: expect.stringMatching(/^\d{4}-/) });
    const dead = (await w.app.inject({ method: 'GET', url: '/streams/webhook-events/dead', headers: asAdmin })).json() as { items: unknown[] };
    expect(dead.items).toEqual([]);
  }, 60_000);

  it('a push older than the stored status changes nothing; a duplicate of an applied push is acked without work', async () => {
    const coll = w.db.collection('orders');
    const doc = (await coll.findOne({ shop_id: SHOPS[0] }))!;
    const now = Math.floor(Date.now() / 1000);
    expect(await w.push('tiktok', { shopId: SHOPS[0], orderId: doc.order_id, status: 'CANCELLED', updateTime: doc.update_epoch - 1 })).toBe(200);
    const newer = { shopId: SHOPS[0], orderId: doc.order_id, status: 'CANCELLED', updateTime: now };
    expect(await w.push('tiktok', newer)).toBe(200);
    await eventually(async () => (await coll.findOne({ order_id: doc.order_id }))?.status === 'CANCELLED', { what: 'the newer push applied' });
    // Another push with the key of an applied one (the platform retrying it) must not re-apply it over a later change.
    await coll.updateOne({ order_id: doc.order_id }, { $set: { status: 'MANUAL', update_epoch: now - 5 } });
    expect(await w.push('tiktok', newer)).toBe(200);
    await eventually(async () => {
      const g = await group();
      return g.pending === 0 && g.lag === 0;
    }, { what: 'the duplicate acked' });
    expect((await coll.findOne({ order_id: doc.order_id }))?.status).toBe('MANUAL');
  });

  it('uses the channel_id of the shop in the marketplace shops store (credentials never read)', async () => {
    await w.db.collection('marketplace_shops').insertOne({ _id: 'tiktok:7999' as never, platform: 'tiktok', shop_id: '7999', channel_id: 'ch-7999', region: 'VN', credentials: { access_token: 'tok', refresh_token: 'ref' } });
    const coll = w.db.collection('orders');
    await coll.insertOne(toRecord({ platform: 'tiktok', shopId: '7999', channelId: 'ch-7999' }, 'orders', { id: 'o-7999', status: 'UNPAID', update_time: 1_700_000_000 }));
    expect(await w.push('tiktok', { shopId: '7999', orderId: 'o-7999', status: 'IN_TRANSIT', updateTime: Math.floor(Date.now() / 1000) })).toBe(200);
    await eventually(async () => (await coll.findOne({ order_id: 'o-7999', channel_id: 'ch-7999' }))?.status === 'IN_TRANSIT', { what: 'the push applied to the ch-7999 record' });
    expect(await coll.countDocuments({ order_id: 'o-7999' })).toBe(1);
  });
});
