/**
 * Lazada pushes: `Authorization` = hex HMAC-SHA256(app_secret, app_key + raw body). Body `{ seller_id, message_type,
 * data: { trade_order_id, order_status, status_update_time }, timestamp (ms), site }`; a push without
 * `data.trade_order_id` (other message types) is acknowledged and not stored.
 */
import { createHmac } from 'node:crypto';
import { need, needNumber, type PushPlatform } from './types';

const seconds = (n: number) => (n > 1e12 ? Math.floor(n / 1000) : n);

export const lazadaPush: PushPlatform = {
  name: 'lazada',
  header: 'authorization',
  expected: ({ lazada }, raw) => (lazada.appSecret && lazada.appKey ? createHmac('sha256', lazada.appSecret).update(lazada.appKey).update(raw).digest() : null),
  parse(body) {
    const timestamp = seconds(needNumber(body, 'timestamp'));
    const shopId = String(need(body, 'seller_id'));
    const data = body.data as Record<string, unknown> | undefined;
    if (!data || data.trade_order_id === undefined) return { timestamp, event: null };
    return {
      timestamp,
      event: { platform: 'lazada', shopId, entity: 'orders', id: String(need(body, 'data.trade_order_id')), status: String(need(body, 'data.order_status')), updateTime: seconds(needNumber(body, 'data.status_update_time')) },
    };
  },
};
