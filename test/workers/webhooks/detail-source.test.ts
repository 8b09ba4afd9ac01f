/**
 * The marketplace plugin's detail source for Shopee and Lazada (TikTok: consumer.test.ts): pushes of orders never
 * stored are fetched from the fakes over HTTP in calls of at most 50 ids per shop (Lazada: its items call, plus the
 * one /order/get per id it needs for the order itself), stored once with their latest status; an id the platform
 * does not know ends in the dead-letter stream saying so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin } from '../../api/api-harness';
import { eventually } from '../../support/isolation';
import type { PushEvent } from '../../../workers/webhooks/push-event';
import { appendEvents, groupInfo } from './pushes';
import { startWebhookWorld, type WebhookWorld } from './webhook-world';

const SPEC = { ordersPerDay: 30, from: '2024-03-01', to: '2024-03-04' };
const SHOPS = { shopee: ['880101', '880102'], lazada: ['100301'] } as const;
const TIKTOK_SHOP = '7401';
let w: WebhookWorld;
/** Stops or starts the consumer through the API and waits for its live state (the request is asynchronous). */
async function consumer(action: 'stop' | 'start', state: string): Promise<void> {
  const live = async () => (await w.c.mirror.liveState('webhook-events')).state;
  // Right after boot the state may not say `consuming` yet: the API refuses a stop (409) until it does.
  await eventually(async () => action === 'stop' ? (await live()) === 'consuming' : true, { what: 'the consumer running' });
  expect((await w.app.inject({ method: 'POST', url: `/workers/webhook-events/${action}`, headers: asAdmin })).statusCode).toBe(202);
  await eventually(async () => (await live()) === state, { what: `the consumer ${state}` });
}

beforeAll(async () => {
  w = await startWebhookWorld('wh_detail', {
    shopee: SHOPS.shopee.map((shopId) => ({ shopId, ...SPEC })), lazada: SHOPS.lazada.map((shopId) => ({ shopId, ...SPEC })), tiktok: [{ shopId: TIKTOK_SHOP, ...SPEC, returnEvery: 2 }],
  }, {
    // The claim idle time outlasts a batch's wait for its detail calls (else a batch still in hand is claimed again).
    env: { WEBHOOK_DETAIL_WAIT_MS: '1000', WEBHOOK_CLAIM_IDLE_MS: '3000', WEBHOOK_MAX_DELIVERIES: '2' },
  });
});
afterAll(async () => {
  await w?.close();
});

describe('detail source of the marketplace plugin', () => {
  it('fetches Shopee and Lazada orders never stored, ≤ 50 ids per detail call and shop; an unknown id is dead-lettered', async () => {
    const now = Math.floor(Date.now() / 1000);
    const events: PushEvent[] = [];
    const latest = new Map<string, string>();
    for (const platform of ['shopee', 'lazada'] as const) {
      for (const shopId of SHOPS[platform]) {
        for (const o of w.fakes[platform].shop(shopId).data.orders) {
          // Two changes each, the newer one first, and the older one again (a platform retry).
          const older = { platform, shopId, entity: 'orders' as const, id: o.id, status: 'READY_TO_SHIP', updateTime: now - 20 };
          events.push({ ...older, status: 'SHIPPED', updateTime: now - 10 }, older, older);
          latest.set(`${platform}:${o.id}`, 'SHIPPED');
        }
      }
    }
    events.push({ platform: 'lazada', shopId: SHOPS.lazada[0], entity: 'orders', id: '999000000000001', status: 'SHIPPED', updateTime: now });
    // Queued while the consumer is stopped (a backlog, as after an outage): its batches then share detail calls.
    await consumer('stop', 'stopped');
    await appendEvents(w.c.redis, w.streamKey, events);
    await consumer('start', 'consuming');
    await eventually(async () => {
      const g = await groupInfo(w.c.redis, w.streamKey);
      return g.pending === 0 && g.lag === 0 && g.read >= events.length;
    }, { what: 'the stream drained', timeoutMs: 20_000, intervalMs: 100 });

    const docs = await w.db.collection('orders').find({}, { projection: { _id: 0, platform: 1, order_id: 1, shop_id: 1, status: 1, items: 1 } }).toArray();
    expect(docs).toHaveLength(latest.size);
    expect(new Set(docs.map((d) => `${d.platform}:${d.order_id}`)).size).toBe(latest.size);
    expect(docs.filter((d) => d.status !== latest.get(`${d.platform}:${d.order_id}`))).toEqual([]);
    expect(docs.filter((d) => !Array.isArray(d.items) || d.items.length === 0)).toEqual([]);
    for (const platform of ['shopee', 'lazada'] as const) {
      for (const shopId of SHOPS[platform]) {
        const n = w.fakes[platform].shop(shopId).data.orders.length;
        expect(n).toBe(120);
        expect(w.detailCalls(platform, shopId)).toBeGreaterThan(0);
        expect(w.detailCalls(platform, shopId)).toBeLessThanOrEqual(Math.ceil(n / 50));
      }
    }
    // Lazada has no multi-order header call: one /order/get per new id (the unknown one's answer is remembered, not asked again).
    expect(w.fakes.lazada.shopRequests(SHOPS.lazada[0], '/order/get')).toBe(121);
    expect(w.fakes.shopee.totalViolations() + w.fakes.lazada.totalViolations()).toBe(0);

    const dead = (await w.app.inject({ method: 'GET', url: '/streams/webhook-events/dead', headers: asAdmin })).json() as { items: Array<{ fields: Record<string, string>; error: string }> };
    expect(dead.items.map((i) => i.error).filter((e, i, a) => a.indexOf(e) === i)).toHaveLength(1);
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0].fields.id).toBe('999000000000001');
    expect(dead.items[0].error).toBe(`lazada does not know orders 999000000000001 of shop ${SHOPS.lazada[0]}`);
  }, 40_000);

  it('fetches TikTok returns never stored by return_ids (≤ 50 per call); a product never stored is dead-lettered saying why', async () => {
    const returns = w.fakes.tiktok.shop(TIKTOK_SHOP).data.returns;
    expect(returns).toHaveLength(60);
    const now = Math.floor(Date.now() / 1000);
    const events: PushEvent[] = returns.map((r) => ({ platform: 'tiktok', shopId: TIKTOK_SHOP, entity: 'returns', id: r.id, status: 'RETURN_OR_REFUND_REQUEST_COMPLETE', updateTime: now, notificationId: `n-${r.id}` }));
    events.push({ platform: 'tiktok', shopId: TIKTOK_SHOP, entity: 'products', id: '1729000000000001', status: 'ACTIVATE', updateTime: now, notificationId: 'n-p1' });
    const readBefore = (await groupInfo(w.c.redis, w.streamKey)).read;
    await consumer('stop', 'stopped');
    await appendEvents(w.c.redis, w.streamKey, events);
    await consumer('start', 'consuming');
    await eventually(async () => {
      const g = await groupInfo(w.c.redis, w.streamKey);
      return g.pending === 0 && g.lag === 0 && g.read >= readBefore + events.length;
    }, { what: 'the stream drained', timeoutMs: 20_000, intervalMs: 100 });
    const docs = await w.db.collection('returns').find({ shop_id: TIKTOK_SHOP }).toArray();
    expect(docs.map((d) => d.return_id).sort()).toEqual(returns.map((r) => r.id).sort());
    expect(docs.filter((d) => d.status !== 'RETURN_OR_REFUND_REQUEST_COMPLETE')).toEqual([]);
    expect(docs[0]).toMatchObject({ platform: 'tiktok', channel_id: 'tiktok', order_id: expect.any(String) });
    expect(w.fakes.tiktok.shopRequests(TIKTOK_SHOP, '/return_refund/202309/returns/search')).toBe(2);
    const dead = (await w.app.inject({ method: 'GET', url: '/streams/webhook-events/dead', headers: asAdmin })).json() as { items: Array<{ fields: Record<string, string>; error: string; deliveries: number }> };
    const product = dead.items.filter((i) => i.fields.platform === 'tiktok');
    // No retry can fetch it: dead-lettered on its first delivery.
    expect(product.map((i) => [i.fields.entity, i.deliveries, i.error])).toEqual([['products', 1, 'DetailSourceError: tiktok products never stored cannot be fetched by id (the platform has no such look-up here); the next sync stores them']]);
  }, 40_000);
});
