/** Generated push scenarios for the consumer tests: known orders in MongoDB, shuffled status changes with duplicates. */
import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { toRecord } from '../../../plugins/market-records';
import { idempotencyKey, toFields, type PushEvent } from '../../../workers/webhooks/push-event';

const STATUSES = ['AWAITING_SHIPMENT', 'AWAITING_COLLECTION', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED'];

export function rng(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

export interface Scenario {
  events: PushEvent[];
  /** Order id → the status of its newest push. */
  latest: Map<string, string>;
}

/** `orders` known orders of one shop (stored older than every push), `perOrder` changes each, `dupShare` duplicates. */
export async function knownOrdersScenario(db: Db, shopId: string, orders: number, perOrder: number, dupShare: number, seed = 7): Promise<Scenario> {
  const random = rng(seed);
  const now = Math.floor(Date.now() / 1000);
  const ids = Array.from({ length: orders }, (_, i) => `${shopId}-o${i}`);
  await db.collection('orders').insertMany(ids.map((id) => toRecord({ platform: 'tiktok', shopId, channelId: 'tiktok' }, 'orders', { id, status: 'UNPAID', update_time: now - 10_000 })));
  const latest = new Map<string, string>();
  const events: PushEvent[] = [];
  for (const id of ids) {
    const statuses = [...STATUSES].sort(() => random() - 0.5).slice(0, perOrder);
    statuses.forEach((status, k) => events.push({ platform: 'tiktok', shopId, entity: 'orders', id, status, updateTime: now - 1_000 + k * 10, notificationId: `n-${id}-${k}` }));
    latest.set(id, statuses[perOrder - 1]);
  }
  const dups = Array.from({ length: Math.round(events.length * dupShare) }, () => events[Math.floor(random() * events.length)]);
  const all = [...events, ...dups];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return { events: all, latest };
}

/** Appends the events as the intake does (its fields and idempotency key). */
export async function appendEvents(redis: Redis, streamKey: string, events: readonly PushEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1_000) {
    const pipe = redis.pipeline();
    for (const e of events.slice(i, i + 1_000)) pipe.xadd(streamKey, '*', ...toFields(e, idempotencyKey(e)));
    await pipe.exec();
  }
}

export async function groupInfo(redis: Redis, streamKey: string): Promise<{ pending: number; lag: number; read: number }> {
  const [g] = (await redis.call('XINFO', 'GROUPS', streamKey)) as Array<Array<string | number>>;
  if (!g) return { pending: 0, lag: Number.NaN, read: 0 };
  const o = Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]]));
  return { pending: Number(o.pending), lag: Number(o.lag), read: Number(o['entries-read'] ?? 0) };
}

/** Every stored order: its final status is its newest push's and no push key appears twice in its history. */
export async function checkApplied(db: Db, s: Scenario): Promise<{ wrongStatus: string[]; repeatedKeys: string[]; backwards: string[] }> {
  const docs = await db.collection('orders').find({}, { projection: { _id: 0, order_id: 1, status: 1, status_history: 1 } }).toArray();
  const wrongStatus: string[] = [];
  const repeatedKeys: string[] = [];
  const backwards: string[] = [];
  for (const d of docs) {
    if (s.latest.has(d.order_id) && d.status !== s.latest.get(d.order_id)) wrongStatus.push(`${d.order_id}: ${d.status} ≠ ${s.latest.get(d.order_id)}`);
    const history = (d.status_history ?? []) as Array<{ key: string; update_epoch: number }>;
    const keys = history.map((h) => h.key);
    if (new Set(keys).size !== keys.length) repeatedKeys.push(d.order_id);
    if (history.some((h, i) => i > 0 && h.update_epoch <= history[i - 1].update_epoch)) backwards.push(d.order_id);
  }
  return { wrongStatus, repeatedKeys, backwards };
}
