/**
 * TikTok Shop pushes: `Authorization` = lowercase hex HMAC-SHA256(key = app_secret, message = app_key + raw body).
 * Body `{ type, tts_notification_id, shop_id, timestamp, data }`; type 1 order status (order_id, order_status,
 * update_time), 12 return status (return_id, return_status), 5/15/16 product events (product_id, status).
 */
import { createHmac } from 'node:crypto';
import type { MarketEntity } from '../../../plugins/market-records';
import { need, needNumber, type PushPlatform } from './types';

const ENTITY_BY_TYPE: Record<number, { entity: MarketEntity; id: string; status: string }> = {
  1: { entity: 'orders', id: 'data.order_id', status: 'data.order_status' },
  12: { entity: 'returns', id: 'data.return_id', status: 'data.return_status' },
  5: { entity: 'products', id: 'data.product_id', status: 'data.status' },
  15: { entity: 'products', id: 'data.product_id', status: 'data.status' },
  16: { entity: 'products', id: 'data.product_id', status: 'data.status' },
};

export const tiktokPush: PushPlatform = {
  name: 'tiktok',
  header: 'authorization',
  expected: ({ tiktok }, raw) => (tiktok.appSecret && tiktok.appKey ? createHmac('sha256', tiktok.appSecret).update(tiktok.appKey).update(raw).digest() : null),
  parse(body) {
    const type = needNumber(body, 'type');
    const timestamp = needNumber(body, 'timestamp');
    const notificationId = String(need(body, 'tts_notification_id'));
    const shopId = String(need(body, 'shop_id'));
    const spec = ENTITY_BY_TYPE[type];
    if (!spec) return { timestamp, event: null };
    const updateTime = body.data && (body.data as Record<string, unknown>).update_time !== undefined ? needNumber(body, 'data.update_time') : timestamp;
    return { timestamp, event: { platform: 'tiktok', shopId, entity: spec.entity, id: String(need(body, spec.id)), status: String(need(body, spec.status)), updateTime, notificationId } };
  },
};
