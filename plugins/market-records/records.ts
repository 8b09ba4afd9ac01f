/**
 * Minimal record DTO shared by the sync and the webhook consumer: the key fields, the status and update time in one
 * shape for every platform (`status`, `update_time` as unix seconds, `update_time_iso` in +07:00), the platform's
 * record under `raw`, and the audit metadata (platform, channel_id, shop_id, details_fetched_at, synced_at).
 */
import { formatWithOffset } from '../mongo';
import { ENTITY_ID_FIELD, type MarketEntity, type ShopKey } from './entities';

export type RawRecord = Record<string, unknown>;

/** Where each platform keeps id, status and update time in its detail records. */
const FIELDS: Record<string, Record<MarketEntity, { id: string[]; status: string[]; updated: string[] }>> = {
  tiktok: {
    orders: { id: ['id', 'order_id'], status: ['status', 'order_status'], updated: ['update_time'] },
    returns: { id: ['return_id', 'id'], status: ['return_status', 'status'], updated: ['update_time'] },
    products: { id: ['id', 'product_id'], status: ['status', 'product_status'], updated: ['update_time'] },
  },
  shopee: {
    orders: { id: ['order_sn', 'ordersn'], status: ['order_status', 'status'], updated: ['update_time'] },
    returns: { id: ['return_sn'], status: ['status'], updated: ['update_time'] },
    products: { id: ['item_id'], status: ['item_status'], updated: ['update_time'] },
  },
  lazada: {
    orders: { id: ['order_id', 'trade_order_id'], status: ['status', 'order_status', 'statuses'], updated: ['updated_at', 'status_update_time'] },
    returns: { id: ['reverse_order_id'], status: ['status'], updated: ['updated_at'] },
    products: { id: ['item_id'], status: ['status'], updated: ['updated_time'] },
  },
};

function first(raw: RawRecord, names: string[]): unknown {
  for (const n of names) if (raw[n] !== undefined && raw[n] !== null && raw[n] !== '') return raw[n];
  return undefined;
}

/** Unix seconds from seconds, milliseconds or an ISO string; NaN when none parses. */
export function toUnixSeconds(v: unknown): number {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
    const n = Number(v);
    return n > 1e12 ? Math.floor(n / 1000) : n;
  }
  if (typeof v === 'string') return Math.floor(Date.parse(v) / 1000);
  return NaN;
}

/** The id of a platform record (string), or undefined. */
export function recordId(platform: string, entity: MarketEntity, raw: RawRecord): string | undefined {
  const v = first(raw, FIELDS[platform]?.[entity]?.id ?? []);
  return v === undefined ? undefined : String(v);
}

/** The document a platform detail record is stored as (upserted by its key). */
export function toRecord(shop: ShopKey, entity: MarketEntity, raw: RawRecord, now = new Date()): RawRecord {
  const f = FIELDS[shop.platform][entity];
  const id = recordId(shop.platform, entity, raw);
  if (id === undefined) throw new Error(`${shop.platform} ${entity} record without an id (${f.id.join('/')})`);
  const status = first(raw, f.status);
  const updated = toUnixSeconds(first(raw, f.updated));
  return {
    [ENTITY_ID_FIELD[entity]]: id, shop_id: shop.shopId, channel_id: shop.channelId, platform: shop.platform,
    status: Array.isArray(status) ? String(status[0]) : status === undefined ? null : String(status),
    update_time: Number.isFinite(updated) ? updated : 0,
    update_time_iso: Number.isFinite(updated) ? formatWithOffset(updated * 1000, '+07:00') : null,
    raw, details_fetched_at: now, synced_at: now,
  };
}
