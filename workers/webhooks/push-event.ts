/** A verified push, normalised across platforms, and its stream entry form. */
import { createHash } from 'node:crypto';
import type { MarketEntity, MarketPlatform } from '../../plugins/market-records';

export interface PushEvent {
  platform: MarketPlatform;
  /** The platform's shop / seller id. */
  shopId: string;
  entity: MarketEntity;
  /** Order, return or product id. */
  id: string;
  status: string;
  /** When the platform changed the status (unix s). */
  updateTime: number;
  /** The platform's notification id where it sends one (TikTok). */
  notificationId?: string;
}

/** The platform's notification id, else a hash of what the push says (a retried push hashes the same). */
export function idempotencyKey(e: PushEvent): string {
  if (e.notificationId) return `${e.platform}:n:${e.notificationId}`;
  const h = createHash('sha256').update([e.platform, e.shopId, e.entity, e.id, e.status, e.updateTime].join('\u0000')).digest('hex').slice(0, 32);
  return `${e.platform}:h:${h}`;
}

/** XADD field list (flat). */
export function toFields(e: PushEvent, key: string): string[] {
  return ['key', key, 'platform', e.platform, 'shop', e.shopId, 'entity', e.entity, 'id', e.id, 'status', e.status, 'updated', String(e.updateTime)];
}

export interface StoredEvent extends PushEvent {
  key: string;
}

/** Reads an entry back; throws naming the bad field (such an entry can never succeed: it is dead-lettered). */
export function fromFields(f: Readonly<Record<string, string>>): StoredEvent {
  for (const k of ['key', 'platform', 'shop', 'entity', 'id', 'status', 'updated']) if (!f[k]) throw new Error(`stream entry without ${k}`);
  const updateTime = Number(f.updated);
  if (!Number.isFinite(updateTime)) throw new Error(`stream entry with a bad updated (${f.updated})`);
  return { key: f.key, platform: f.platform as MarketPlatform, shopId: f.shop, entity: f.entity as MarketEntity, id: f.id, status: f.status, updateTime };
}
