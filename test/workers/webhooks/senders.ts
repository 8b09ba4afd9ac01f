/**
 * Test senders that sign pushes as the platforms do (written from external-apis.md, apart from the intake's code):
 * TikTok and Lazada HMAC-SHA256(app_secret, app_key + raw body), Shopee HMAC-SHA256(partner key, callback_url + "|" +
 * raw body), lowercase hex in `Authorization`.
 */
import crypto from 'node:crypto';

export const SECRETS = {
  tiktok: { appKey: 'tt-app-key-1', appSecret: 'tt-secret-canary-7f3a9c' },
  shopee: { partnerKey: 'sp-partner-key-canary-51e0', callbackUrl: 'https://hooks.example.com/webhooks/shopee' },
  lazada: { appKey: 'lz-app-key-1', appSecret: 'lz-secret-canary-c42d' },
};

export const SECRET_ENV: Record<string, string> = {
  WEBHOOK_TIKTOK_APP_KEY: SECRETS.tiktok.appKey, WEBHOOK_TIKTOK_APP_SECRET: SECRETS.tiktok.appSecret,
  WEBHOOK_SHOPEE_PARTNER_KEY: SECRETS.shopee.partnerKey, WEBHOOK_SHOPEE_CALLBACK_URL: SECRETS.shopee.callbackUrl,
  WEBHOOK_LAZADA_APP_KEY: SECRETS.lazada.appKey, WEBHOOK_LAZADA_APP_SECRET: SECRETS.lazada.appSecret,
};

export type Platform = 'tiktok' | 'shopee' | 'lazada';

const hmacHex = (key: string, message: string) => crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(message, 'utf8')).digest('hex');

export function signPush(platform: Platform, body: string, secrets = SECRETS): string {
  if (platform === 'shopee') return hmacHex(secrets.shopee.partnerKey, `${secrets.shopee.callbackUrl}|${body}`);
  const s = secrets[platform];
  return hmacHex(s.appSecret, s.appKey + body);
}

export interface OrderPush {
  shopId: string;
  orderId: string;
  status: string;
  /** unix s */
  updateTime: number;
  /** unix s; default now */
  timestamp?: number;
  notificationId?: string;
}

/** The platform's body for an order status push. */
export function orderPushBody(platform: Platform, p: OrderPush): string {
  const ts = p.timestamp ?? Math.floor(Date.now() / 1000);
  if (platform === 'tiktok') {
    return JSON.stringify({ type: 1, tts_notification_id: p.notificationId ?? `n-${p.orderId}-${p.updateTime}`, shop_id: p.shopId, timestamp: ts, data: { order_id: p.orderId, order_status: p.status, update_time: p.updateTime, is_on_hold_order: false } });
  }
  if (platform === 'shopee') return JSON.stringify({ shop_id: Number(p.shopId), code: 3, timestamp: ts, data: { ordersn: p.orderId, status: p.status, update_time: p.updateTime, completed_scenario: '' } });
  return JSON.stringify({ seller_id: p.shopId, message_type: 0, data: { trade_order_id: p.orderId, order_status: p.status, status_update_time: p.updateTime }, timestamp: ts * 1000, site: 'lazada_vn' });
}
