/**
 * The 6-hourly safety net: `marketplace-resync` is declared as docs/marketplace.md says, and a fire of it (enqueued
 * the way the beat does) re-syncs today for every enabled shop, picking up what changed upstream since the last
 * sync and rewriting only the documents that changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireJobId } from '../../../app/core/runtime/beat';
import { previousFire } from '../../../app/core/registry/cron';
import { addDays, dayOf } from '../../../plugins/date-range';
import { COLLECTIONS, type Entity } from '../../../plugins/marketplace-dto';
import { touchProducts } from '../../fakes/marketplaces';
import { dayStartSec } from '../../fakes/marketplaces';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import type { SyncDoc } from '../../../workers/marketplace/sync-log';
import { eventually } from '../../support/isolation';
import { startMarket, SHOP_IDS, type MarketFixture } from './market-fixture';

const RESYNC = 'marketplace-resync';
const TZ = 'Asia/Ho_Chi_Minh';
const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];
const PER_DAY = 20;
/** The test's "today" must still be the worker's when the fire runs, a minute or so later. */
const MARGIN_MS = 180_000;
let today = '';
let yesterday = '';

/** Within MARGIN_MS of midnight in TZ, waits for the day to turn (a clock boundary, not a guess at a duration). */
async function dayWithRoomLeft(): Promise<string> {
  const now = Date.now();
  const day = dayOf(now, TZ);
  if (dayOf(now + MARGIN_MS, TZ) === day) return day;
  while (dayOf(Date.now(), TZ) === day) await new Promise((r) => setTimeout(r, 1_000));
  return dayOf(Date.now(), TZ);
}

describe('the 6-hourly re-sync', () => {
  let f: MarketFixture;
  beforeAll(async () => {
    today = await dayWithRoomLeft();
    yesterday = addDays(today, -1);
    const shop = { ordersPerDay: PER_DAY, from: yesterday, to: today, products: 10 };
    f = await startMarket('mktresync', { shops: { tiktok: shop, shopee: shop, lazada: shop } });
  }, MARGIN_MS + 60_000);
  afterAll(async () => f?.close());

  /** `synced_at` of every document of an entity, by id and shop. */
  async function syncedAt(entity: Entity): Promise<Map<string, string>> {
    const key = entity === 'transactions' ? 'transaction_id' : entity === 'returns' ? 'return_id' : entity === 'products' ? 'product_id' : 'order_id';
    const docs = await f.db.collection(COLLECTIONS[entity]).find({}, { projection: { [key]: 1, shop_id: 1, synced_at: 1 } }).toArray();
    return new Map(docs.map((d) => [`${d.shop_id}:${d[key]}`, String(d.synced_at)]));
  }

  it('is declared every 6 hours in Asia/Ho_Chi_Minh, and a fire writes only what changed today', async () => {
    const def = f.container.registry.schedule(RESYNC)!;
    expect(def).toMatchObject({ cron: '0 */6 * * *', timezone: TZ, overlap: 'skip' });

    const first = await f.sync({ from: yesterday, to: today });
    expect(first).toMatchObject({ status: 'completed', chunks_failed: 0 });
    const before = new Map((['orders', 'order_tracking', 'transactions', 'products'] as Entity[]).map((e) => [e, new Map<string, string>()]));
    for (const [e, m] of before) for (const [k, v] of await syncedAt(e)) m.set(k, v);

    // Upstream since that sync: three of today's orders moved on, one of yesterday's too (outside the re-sync's
    // window), and two products were edited.
    const changed = new Map<PlatformName, string[]>();
    let yesterdayOrder = '';
    for (const p of PLATFORMS) {
      const d = f.fakes[p].shop(SHOP_IDS[p]).data;
      const todays = d.orders.filter((o) => o.createdSec >= dayStartSec(today));
      for (const o of todays.slice(0, 3)) {
        o.status = o.status === 'CANCELLED' ? 'COMPLETED' : 'CANCELLED';
        o.updatedSec += 3_600;
      }
      changed.set(p, todays.slice(0, 3).map((o) => o.id));
      if (p === 'shopee') {
        const old = d.orders[0];
        old.status = old.status === 'CANCELLED' ? 'COMPLETED' : 'CANCELLED';
        old.updatedSec += 3_600;
        yesterdayOrder = old.id;
      }
      touchProducts(d, 2);
    }

    // What the beat enqueues at a fire: the schedule's own job id for that fire time.
    const at = previousFire(def.cron!, def.timezone);
    await f.container.dispatcher.enqueue(RESYNC, {}, { trigger: 'cron', jobId: fireJobId(RESYNC, at), at });
    const resync = await eventually(async () => {
      const s = (await f.svc.syncLog.listSyncs(10)).find((x: SyncDoc) => x.trigger === 'schedule');
      return s && (s.status === 'completed' || s.status === 'completed_with_errors') ? s : undefined;
    }, { timeoutMs: 45_000, intervalMs: 100, what: 'the scheduled re-sync to close' });

    expect(resync).toMatchObject({ status: 'completed', from: today, to: today, chunks_total: 3, chunks_failed: 0 });
    expect(resync.counts.orders).toMatchObject({ fetched: 3 * PER_DAY, inserted: 0, updated: 9, unchanged: 3 * PER_DAY - 9 });
    expect(resync.counts.products).toMatchObject({ fetched: 6, updated: 6, unchanged: 3 * 10 - 6 });
    // Tracking and money lines that did not change are not rewritten either.
    for (const e of ['order_tracking', 'transactions'] as const) expect(resync.counts[e], e).toMatchObject({ inserted: 0, updated: 0 });

    const after = new Map((['orders', 'order_tracking', 'transactions', 'products'] as Entity[]).map((e) => [e, new Map<string, string>()]));
    for (const [e, m] of after) for (const [k, v] of await syncedAt(e)) m.set(k, v);
    for (const p of PLATFORMS) {
      const ids = new Set(changed.get(p));
      const d = f.fakes[p].shop(SHOP_IDS[p]).data;
      for (const o of d.orders.filter((x) => ids.has(x.id))) {
        const doc = await f.db.collection('orders').findOne({ shop_id: SHOP_IDS[p], order_id: o.id });
        expect(doc?.status, `${p} ${o.id}`).toBe(o.status);
      }
      // Every other document of the shop is the one the first sync wrote.
      for (const e of ['orders', 'order_tracking', 'transactions'] as Entity[]) {
        for (const [k, v] of before.get(e)!) {
          if (!k.startsWith(`${SHOP_IDS[p]}:`) || (e === 'orders' && ids.has(k.slice(SHOP_IDS[p].length + 1)))) continue;
          expect(after.get(e)!.get(k), `${e} ${k}`).toBe(v);
        }
      }
    }
    // Yesterday is outside the re-sync's window: its change waits for a sync that covers it.
    const stale = await f.db.collection('orders').findOne({ shop_id: SHOP_IDS.shopee, order_id: yesterdayOrder });
    expect(stale?.status).not.toBe(f.fakes.shopee.shop(SHOP_IDS.shopee).data.orders[0].status);
    const untouched = [...before.get('products')!].filter(([k, v]) => after.get('products')!.get(k) === v).length;
    expect(untouched).toBe(3 * 10 - 6);
  }, 90_000);
});
