/**
 * MongoDB refuses every write for 10 s (the wire test server's fault injection) while pushes arrive: entries stay
 * pending (retried every WEBHOOK_CLAIM_IDLE_MS), none is dead-lettered before WEBHOOK_MAX_DELIVERIES, and all drain
 * with the right statuses once MongoDB is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin } from '../../api/api-harness';
import { eventually } from '../../support/isolation';
import { appendEvents, checkApplied, groupInfo, knownOrdersScenario } from './pushes';
import { startWebhookWorld, type WebhookWorld } from './webhook-world';

let w: WebhookWorld;
const OUTAGE_MS = 10_000;

beforeAll(async () => {
  w = await startWebhookWorld('wh_outage', { tiktok: [{ shopId: '7201', ordersPerDay: 1, from: '2024-03-01', to: '2024-03-01' }] }, {
    env: { WEBHOOK_BATCH_SIZE: '200', WEBHOOK_CLAIM_IDLE_MS: '2500', WEBHOOK_MAX_DELIVERIES: '6', STREAM_BLOCK_MS: '200' },
  });
});
afterAll(async () => {
  await w?.close();
});

describe('webhook-events while MongoDB is down', () => {
  it('keeps entries pending through a 10 s write outage, dead-letters none, then drains them all', async () => {
    const s = await knownOrdersScenario(w.db, '7201', 300, 3, 0.2, 11);
    const faults = w.mongo.faults;
    faults.failNextWrites(1_000_000, { code: 91, errmsg: 'the test server is shutting down' });
    const outage = new Promise<void>((resolve) => setTimeout(() => (faults.clear(), resolve()), OUTAGE_MS));
    await appendEvents(w.c.redis, w.streamKey, s.events);
    const during = await eventually(async () => {
      const g = await groupInfo(w.c.redis, w.streamKey);
      return g.lag === 0 && g.pending === s.events.length ? g : undefined;
    }, { what: 'every entry delivered and pending while writes fail', timeoutMs: 8_000 });
    expect(during.pending).toBe(s.events.length);
    const view = (await w.app.inject({ method: 'GET', url: '/workers/webhook-events', headers: asAdmin })).json() as { details: Record<string, number> };
    expect(view.details.dead ?? 0).toBe(0);
    await outage;
    await eventually(async () => {
      const g = await groupInfo(w.c.redis, w.streamKey);
      return g.pending === 0 && g.lag === 0;
    }, { what: 'the stream drained after MongoDB came back', timeoutMs: 20_000, intervalMs: 200 });
    expect(await w.c.redis.xlen(`${w.streamKey}:dead`)).toBe(0);
    const state = await w.c.redis.hgetall(`${w.t.redisPrefix}state:webhook-events`);
    // Batches did fail during the outage (and were retried), yet none reached the dead-letter stream.
    expect(Number(state.failed)).toBeGreaterThan(0);
    expect(await checkApplied(w.db, s)).toEqual({ wrongStatus: [], repeatedKeys: [], backwards: [] });
    const docs = await w.db.collection('orders').countDocuments({ status: { $ne: 'UNPAID' } });
    expect(docs).toBe(300);
  }, 60_000);
});
