/**
 * Shopee pushes: `Authorization` = hex HMAC-SHA256(partner key, callback_url + "|" + raw body), the callback URL
 * exactly as registered. Body `{ shop_id, code, timestamp, data }`; code 3 = order status (ordersn, status,
 * update_time). Other codes (4 = tracking number, …) are acknowledged and not stored.
 */
import { createHmac } from 'node:crypto';
import { need, needNumber, type PushPlatform } from './types';

export const shopeePush: PushPlatform = {
  name: 'shopee',
  header: 'authorization',
  expected: ({ shopee }, raw) => (shopee.partnerKey && shopee.callbackUrl ? createHmac('sha256', shopee.partnerKey).update(`${shopee.callbackUrl}|`).update(raw).digest() : null),
  parse(body) {
    const code = needNumber(body, 'code');
    const timestamp = needNumber(body, 'timestamp');
    const shopId = String(need(body, 'shop_id'));
    if (code !== 3) return { timestamp, event: null };
    return { timestamp, event: { platform: 'shopee', shopId, entity: 'orders', id: String(need(body, 'data.ordersn')), status: String(need(body, 'data.status')), updateTime: needNumber(body, 'data.update_time') } };
  },
};
