import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLazada, signShopee, signTiktok } from '../../../workers/marketplace/platforms';
import { LAZADA_APP, SHOPEE_APP, TIKTOK_APP, startMarketplaceFakes, type MarketplaceFakes } from '../../fakes/marketplaces';

/** Independent readings of the documented algorithms (different code paths from the adapters'). */
function tiktokReference(secret: string, path: string, params: Array<[string, string]>, body: string): string {
  const kept = params.filter(([k, v]) => !['sign', 'access_token'].includes(k) && v.length > 0);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let s = path;
  for (const [k, v] of kept) s += k + v;
  const h = crypto.createHmac('sha256', Buffer.from(secret, 'utf8'));
  h.update(Buffer.from(secret + s + body + secret, 'utf8'));
  return h.digest().toString('hex');
}

function shopeeReference(key: string, parts: Array<string | number>): string {
  return crypto.createHmac('sha256', key).update(parts.map(String).join('')).digest().toString('hex');
}

function flipOneByte(s: string): string {
  return s.slice(0, 3) + String.fromCharCode(s.charCodeAt(3) ^ 1) + s.slice(4);
}

describe('request signing', () => {
  it("Lazada: the documented test vector", () => {
    const params = { access_token: 'test', app_key: '123456', order_id: '1234', sign_method: 'sha256', timestamp: '1517820392000' };
    expect(signLazada('helloworld', '/order/get', params)).toBe('4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A');
    expect(signLazada('helloworld', '/order/get', { ...params, sign: 'ignored' })).toBe('4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A');
  });

  it('TikTok: matches an independent implementation on a fixed vector (sign/access_token and empty values left out, body appended)', () => {
    const query = { app_key: '6abc123', timestamp: '1700000000', shop_cipher: 'ROW_xyz', page_size: '100', sign: 'old', access_token: 'tok', page_token: '' };
    const body = '{"create_time_ge":1699999000,"create_time_lt":1700000000}';
    const expected = tiktokReference('s3cr3t', '/order/202309/orders/search', Object.entries(query), body);
    expect(signTiktok('s3cr3t', '/order/202309/orders/search', query, body)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    // Without the body the signature changes: the body is part of what is signed.
    expect(signTiktok('s3cr3t', '/order/202309/orders/search', query, '')).not.toBe(expected);
  });

  it('Shopee: matches an independent implementation on fixed shop-level and public vectors', () => {
    expect(signShopee('partnerKey123', 2001234, '/api/v2/order/get_order_list', 1700000000, 'access-tok', '98765')).toBe(shopeeReference('partnerKey123', [2001234, '/api/v2/order/get_order_list', 1700000000, 'access-tok', '98765']));
    expect(signShopee('partnerKey123', 2001234, '/api/v2/auth/access_token/get', 1700000000)).toBe(shopeeReference('partnerKey123', [2001234, '/api/v2/auth/access_token/get', 1700000000]));
  });
});

describe('the fakes check signatures and timestamps', () => {
  let fakes: MarketplaceFakes;
  const shop = { shopId: '7001', ordersPerDay: 2, from: '2024-01-01', to: '2024-01-01', products: 1 };
  beforeAll(async () => {
    fakes = await startMarketplaceFakes({ tiktok: { shops: [shop] }, shopee: { shops: [shop] }, lazada: { shops: [shop] } });
  });
  afterAll(async () => fakes?.close());

  async function tiktokCall(secret: string, timestamp = Math.floor(Date.now() / 1000)): Promise<{ status: number; code: number }> {
    const s = fakes.tiktok.shop('7001');
    const path = '/order/202309/orders';
    const query: Record<string, string> = { app_key: TIKTOK_APP.appKey, timestamp: String(timestamp), shop_cipher: s.cipher, ids: s.data.orders[0].id };
    query.sign = signTiktok(secret, path, query);
    const res = await fetch(`${fakes.tiktok.url}${path}?${new URLSearchParams(query)}`, { headers: { 'x-tts-access-token': s.accessToken, 'content-type': 'application/json' } });
    return { status: res.status, code: ((await res.json()) as { code: number }).code };
  }

  it('TikTok accepts the right signature and rejects one made with a secret one byte off (106001) or a stale timestamp', async () => {
    expect(await tiktokCall(TIKTOK_APP.appSecret)).toEqual({ status: 200, code: 0 });
    expect(await tiktokCall(flipOneByte(TIKTOK_APP.appSecret))).toEqual({ status: 401, code: 106001 });
    expect(await tiktokCall(TIKTOK_APP.appSecret, Math.floor(Date.now() / 1000) - 600)).toEqual({ status: 401, code: 36009004 });
  });

  async function shopeeCall(key: string, timestamp = Math.floor(Date.now() / 1000)): Promise<{ status: number; error: string }> {
    const s = fakes.shopee.shop('7001');
    const path = '/api/v2/order/get_order_detail';
    const query = { partner_id: String(SHOPEE_APP.partnerId), timestamp: String(timestamp), access_token: s.accessToken, shop_id: '7001', sign: signShopee(key, SHOPEE_APP.partnerId, path, timestamp, s.accessToken, '7001'), order_sn_list: s.data.orders[0].id };
    const res = await fetch(`${fakes.shopee.url}${path}?${new URLSearchParams(query)}`);
    return { status: res.status, error: ((await res.json()) as { error: string }).error };
  }

  it('Shopee accepts the right signature and rejects one made with a key one byte off (error_sign) or an expired timestamp', async () => {
    expect(await shopeeCall(SHOPEE_APP.partnerKey)).toEqual({ status: 200, error: '' });
    expect(await shopeeCall(flipOneByte(SHOPEE_APP.partnerKey))).toEqual({ status: 403, error: 'error_sign' });
    expect(await shopeeCall(SHOPEE_APP.partnerKey, Math.floor(Date.now() / 1000) - 600)).toEqual({ status: 403, error: 'error_param' });
  });

  async function lazadaCall(secret: string, timestamp = Date.now()): Promise<string> {
    const s = fakes.lazada.shop('7001');
    const query: Record<string, string> = { app_key: LAZADA_APP.appKey, timestamp: String(timestamp), access_token: s.accessToken, sign_method: 'sha256', order_ids: `[${s.data.orders[0].id}]` };
    query.sign = signLazada(secret, '/orders/items/get', query);
    const res = await fetch(`${fakes.lazada.url}/rest/orders/items/get?${new URLSearchParams(query)}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { code: string }).code;
  }

  it('Lazada accepts the right signature and rejects one made with a secret one byte off (IncompleteSignature) or a stale timestamp', async () => {
    expect(await lazadaCall(LAZADA_APP.appSecret)).toBe('0');
    expect(await lazadaCall(flipOneByte(LAZADA_APP.appSecret))).toBe('IncompleteSignature');
    expect(await lazadaCall(LAZADA_APP.appSecret, Date.now() - 600_000)).toBe('InvalidTimestamp');
  });
});
