/**
 * Fake Shopee Open Platform v2: `partner_id`/`timestamp`/`access_token`/`shop_id`/`sign` query, shop-level
 * HMAC-SHA256 over partner_id + path + timestamp + access_token + shop_id, envelope
 * `{ request_id, error, message, response }`, time windows of at most 15 days, cursor pagination.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { FakeMarketplace, num, type FakeOptions, type FakeReply, type FakeRequest, type Platform, type Route } from './fake-server';
import { shopIndex, type GenOrder } from './shop-data';

export const SHOPEE_APP = { partnerId: 2001234, partnerKey: 'fake-shopee-partner-key-abcdef' };
const MAX_WINDOW_S = 15 * 86_400;

export function shopeeSignature(key: string, path: string, timestamp: number | string, accessToken = '', shopId: number | string = ''): string {
  return createHmac('sha256', key).update(`${SHOPEE_APP.partnerId}${path}${timestamp}${accessToken}${shopId}`).digest('hex');
}

function reply(status: number, error: string, message: string, response?: unknown): FakeReply {
  return { status, body: { request_id: randomBytes(16).toString('hex'), error, message, ...(response === undefined ? {} : { response }) } };
}
const ok = (response: unknown): FakeReply => reply(200, '', '', response);

function authenticate(req: FakeRequest, fake: FakeMarketplace, route: Route): ReturnType<Platform['authenticate']> {
  if (Number(req.query.get('partner_id')) !== SHOPEE_APP.partnerId) return { reply: reply(403, 'error_auth', 'Invalid partner_id') };
  const ts = Number(req.query.get('timestamp'));
  const now = Math.floor(req.receivedAt / 1000);
  if (!Number.isInteger(ts) || ts < now - fake.opts.maxPastSec || ts > now + fake.opts.maxFutureSec) return { reply: reply(403, 'error_param', 'Invalid timestamp: the timestamp is expired') };
  const sign = String(req.query.get('sign') ?? '');
  if (route.unscoped) {
    const expected = shopeeSignature(SHOPEE_APP.partnerKey, req.path, ts);
    if (sign.length !== expected.length || !timingSafeEqual(Buffer.from(sign), Buffer.from(expected))) return { reply: reply(403, 'error_sign', 'Wrong sign.') };
    return { shop: fake.shop(String(req.body.shop_id)) };
  }
  const token = String(req.query.get('access_token') ?? '');
  const shopId = String(req.query.get('shop_id') ?? '');
  const expected = shopeeSignature(SHOPEE_APP.partnerKey, req.path, ts, token, shopId);
  if (sign.length !== expected.length || !timingSafeEqual(Buffer.from(sign), Buffer.from(expected))) return { reply: reply(403, 'error_sign', 'Wrong sign.') };
  const { shop, expired } = fake.byToken(token);
  if (expired) return { reply: reply(403, 'invalid_acceess_token', 'Invalid access_token.') };
  if (!shop || shop.data.spec.shopId !== shopId) return { reply: reply(403, 'error_auth', 'Invalid access_token or shop_id.') };
  return { shop };
}

/** A [from, to] window (inclusive seconds) of at most 15 days, or the platform's error. */
function window(req: FakeRequest, from: string, to: string, invalid: string): [number, number] | FakeReply {
  const a = num(req, from);
  const b = num(req, to);
  if (!Number.isInteger(a) || !Number.isInteger(b) || b < a) return reply(400, 'error_param', `${from} and ${to} are required`);
  if (b - a > MAX_WINDOW_S) return reply(400, invalid, 'The time range is too long: at most 15 days.');
  return [a, b];
}

function inWindow<T extends { createdSec: number }>(list: T[], [a, b]: [number, number]): T[] {
  return list.filter((x) => x.createdSec >= a && x.createdSec <= b);
}

function size(req: FakeRequest, max: number): number | FakeReply {
  const n = num(req, 'page_size');
  return Number.isInteger(n) && n >= 1 && n <= max ? n : reply(400, 'error_param', `page_size must be between 1 and ${max}`);
}

function pageNo(req: FakeRequest, list: unknown[], n: number): { items: unknown[]; more: boolean } {
  const p = Math.max(1, num(req, 'page_no') || 1);
  return { items: list.slice((p - 1) * n, p * n), more: p * n < list.length };
}

function detail(o: GenOrder): Record<string, unknown> {
  return {
    order_sn: o.id, region: 'VN', currency: o.currency, order_status: o.status, create_time: o.malformed ? 'not-a-time' : o.createdSec, update_time: o.updatedSec,
    pay_time: o.createdSec + 60, total_amount: o.malformed ? 'abc' : Number(o.total), actual_shipping_fee: Number(o.shippingFee), shipping_carrier: 'SPX Express',
    buyer_username: `buyer${o.idx}`, recipient_address: { name: o.buyer.name, phone: o.buyer.phone, city: o.buyer.city, full_address: `${o.idx} Nguyễn Huệ, ${o.buyer.city}` },
    item_list: o.items.map((it) => ({ item_id: Number(it.productId), item_name: it.name, model_sku: it.sku, model_quantity_purchased: it.qty, model_discounted_price: Number(it.price), model_original_price: Number(it.price) })),
    package_list: [{ package_number: `PK${o.id}`, logistics_status: 'LOGISTICS_READY', shipping_carrier: 'SPX Express' }],
  };
}

const routes: Route[] = [
  {
    method: 'POST', path: '/api/v2/auth/access_token/get', unscoped: true,
    handle: ({ req, fake }) => {
      const shop = fake.refresh(String(req.body.refresh_token ?? ''));
      if (!shop || shop.data.spec.shopId !== String(req.body.shop_id)) return reply(403, 'error_auth', 'Invalid refresh_token.');
      return { status: 200, body: { request_id: randomBytes(8).toString('hex'), error: '', message: '', access_token: shop.accessToken, refresh_token: shop.refreshToken, expire_in: 14_400, partner_id: SHOPEE_APP.partnerId, shop_id: Number(shop.data.spec.shopId) } };
    },
  },
  {
    method: 'GET', path: '/api/v2/order/get_order_list',
    handle: ({ req, shop }) => {
      const w = window(req, 'time_from', 'time_to', 'order.order_list_invalid_time');
      if (!Array.isArray(w)) return w;
      const n = size(req, 100);
      if (typeof n !== 'number') return n;
      const all = inWindow(shop.data.orders, w);
      const offset = Number(req.query.get('cursor') || 0);
      const items = all.slice(offset, offset + n);
      const more = offset + n < all.length;
      return ok({ more, next_cursor: more ? String(offset + n) : '', order_list: items.map((o) => ({ order_sn: o.id })) });
    },
  },
  {
    method: 'GET', path: '/api/v2/order/get_order_detail',
    handle: ({ req, shop }) => {
      const sns = String(req.query.get('order_sn_list') ?? '').split(',').filter(Boolean);
      if (sns.length < 1 || sns.length > 50) return reply(400, 'error_param', `order_sn_list must hold 1 to 50 order_sn, got ${sns.length}`);
      const { byId } = shopIndex(shop.data);
      return ok({ order_list: sns.flatMap((sn) => (byId.has(sn) ? [detail(byId.get(sn)!)] : [])) });
    },
  },
  {
    method: 'GET', path: '/api/v2/logistics/get_tracking_info',
    handle: ({ req, shop }) => {
      const o = shopIndex(shop.data).byId.get(String(req.query.get('order_sn')));
      if (!o) return reply(400, 'logistics.order_not_found', 'Order not found.');
      return ok({ order_sn: o.id, package_number: `PK${o.id}`, logistics_status: 'LOGISTICS_PICKUP_DONE', tracking_info: [
        { update_time: o.createdSec + 300, description: 'Đơn hàng đã được tạo', logistics_status: 'ORDER_CREATED' },
        { update_time: o.createdSec + 7200, description: 'Đã lấy hàng', logistics_status: 'PICKED_UP' },
      ] });
    },
  },
  {
    method: 'GET', path: '/api/v2/payment/get_escrow_detail',
    handle: ({ req, shop }) => {
      const t = shopIndex(shop.data).txnByOrder.get(String(req.query.get('order_sn')));
      if (!t) return reply(400, 'payment.order_not_found', 'Order not found.');
      return ok({ order_sn: t.orderId, escrow_release_time: t.createdSec, order_income: { escrow_amount: Number(t.amount), buyer_total_amount: Number(t.amount), commission_fee: Number(t.fee), service_fee: 0, seller_transaction_fee: 0 } });
    },
  },
  {
    method: 'GET', path: '/api/v2/payment/get_wallet_transaction_list',
    handle: ({ req, shop }) => {
      const w = window(req, 'create_time_from', 'create_time_to', 'error_param');
      if (!Array.isArray(w)) return w;
      const n = size(req, 100);
      if (typeof n !== 'number') return n;
      const p = pageNo(req, inWindow(shop.data.txns, w), n);
      return ok({ more: p.more, transaction_list: (p.items as typeof shop.data.txns).map((t) => ({ transaction_id: Number(t.id.slice(1)), status: 'COMPLETED', transaction_type: 'ESCROW_VERIFIED_ADD', amount: Number(t.amount), create_time: t.createdSec, order_sn: t.orderId, reason: '' })) });
    },
  },
  {
    method: 'GET', path: '/api/v2/returns/get_return_list',
    handle: ({ req, shop }) => {
      const w = window(req, 'create_time_from', 'create_time_to', 'error_param');
      if (!Array.isArray(w)) return w;
      const n = size(req, 100);
      if (typeof n !== 'number') return n;
      const p = pageNo(req, inWindow(shop.data.returns, w), n);
      return ok({ more: p.more, return: (p.items as typeof shop.data.returns).map((r) => ({ return_sn: r.id, order_sn: r.orderId, status: 'REQUESTED', create_time: r.createdSec, update_time: r.updatedSec, refund_amount: Number(r.amount), currency: 'VND', reason: 'NOT_RECEIPT' })) });
    },
  },
  {
    method: 'GET', path: '/api/v2/product/get_item_list',
    handle: ({ req, shop }) => {
      const n = size(req, 100);
      if (typeof n !== 'number') return n;
      const offset = num(req, 'offset') || 0;
      const items = shop.data.products.slice(offset, offset + n);
      const more = offset + n < shop.data.products.length;
      return ok({ item: items.map((p) => ({ item_id: Number(p.id), item_status: 'NORMAL', update_time: p.updatedSec })), total_count: shop.data.products.length, has_next_page: more, next_offset: more ? offset + n : 0 });
    },
  },
  {
    method: 'GET', path: '/api/v2/product/get_item_base_info',
    handle: ({ req, shop }) => {
      const ids = String(req.query.get('item_id_list') ?? '').split(',').filter(Boolean);
      if (ids.length < 1 || ids.length > 50) return reply(400, 'error_param', `item_id_list must hold 1 to 50 ids, got ${ids.length}`);
      const byId = new Map(shop.data.products.map((p) => [p.id, p]));
      return ok({ item_list: ids.flatMap((id) => { const p = byId.get(id); return p ? [{ item_id: Number(p.id), item_name: p.name, item_status: 'NORMAL', create_time: p.createdSec, update_time: p.updatedSec, price_info: [{ currency: 'VND', current_price: Number(p.price), original_price: Number(p.price) }], item_sku: `S-${p.id}` }] : []; }) });
    },
  },
];

export const shopeePlatform: Platform = {
  name: 'shopee', prefix: '', routes, authenticate,
  rateLimitReply: () => reply(429, 'error_rate_limit', 'Too many requests, please try again later.'),
  serverErrorReply: (status) => reply(status, 'error_server', 'Something wrong. Please try later.'),
  failReply: (code, message) => reply(400, code, message),
};

/** Shopee publishes no per-second figure (unconfirmed): 50 requests/s per API per shop by default here. */
export async function startShopeeFake(opts: FakeOptions): Promise<FakeMarketplace> {
  const fake = new FakeMarketplace(shopeePlatform, { limitPerSec: 50, banMs: 0, maxPastSec: 300, maxFutureSec: 300, ...opts });
  await fake.start();
  return fake;
}
