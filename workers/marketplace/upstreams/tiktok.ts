/**
 * Fake TikTok Shop Open API (202309): `app_key`/`timestamp`/`sign`/`shop_cipher` query, `x-tts-access-token`
 * header, HMAC-SHA256 signature over path + sorted params + body wrapped in the secret, envelope
 * `{ code, message, request_id, data }`, 50 requests/s per API per shop.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { FakeMarketplace, num, offsetOf, pageToken, type FakeOptions, type FakeReply, type FakeRequest, type Platform, type Route } from './fake-server';
import { createdBetween, shopIndex, type GenOrder } from './shop-data';

export const TIKTOK_APP = { appKey: 'fake-tiktok-app', appSecret: 'fake-tiktok-secret-0123456789' };

/** The fake's own reading of the documented algorithm (the adapter has its own). */
export function tiktokSignature(secret: string, path: string, query: URLSearchParams, body: string): string {
  const keys = [...new Set(query.keys())].filter((k) => k !== 'sign' && k !== 'access_token' && query.get(k) !== '').sort();
  const base = path + keys.map((k) => k + query.get(k)).join('') + body;
  return createHmac('sha256', secret).update(secret + base + secret).digest('hex');
}

function ok(data: unknown): FakeReply {
  return { status: 200, body: { code: 0, message: 'Success', request_id: randomUUID(), data } };
}

function err(status: number, code: number, message: string): FakeReply {
  return { status, body: { code, message, request_id: randomUUID(), data: null } };
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function authenticate(req: FakeRequest, fake: FakeMarketplace, route: Route): ReturnType<Platform['authenticate']> {
  if (route.unscoped) {
    if (req.query.get('app_key') !== TIKTOK_APP.appKey || req.query.get('app_secret') !== TIKTOK_APP.appSecret) return { reply: err(401, 36009004, 'invalid app_key or app_secret') };
    return { shop: [...fake.shops.values()][0] };
  }
  if (req.query.get('app_key') !== TIKTOK_APP.appKey) return { reply: err(401, 36009004, 'Invalid app_key') };
  const ts = Number(req.query.get('timestamp'));
  const now = Math.floor(req.receivedAt / 1000);
  if (!Number.isInteger(ts) || ts < now - fake.opts.maxPastSec || ts > now + fake.opts.maxFutureSec) return { reply: err(401, 36009004, 'Invalid timestamp') };
  const body = req.headers['content-type']?.startsWith('multipart/') ? '' : req.rawBody;
  const expected = tiktokSignature(TIKTOK_APP.appSecret, req.path, req.query, body);
  if (!sameHex(String(req.query.get('sign') ?? ''), expected)) return { reply: err(401, 106001, 'Invalid signature') };
  const token = String(req.headers['x-tts-access-token'] ?? '');
  const { shop, expired } = fake.byToken(token);
  if (expired) return { reply: err(401, 105002, 'Access token is expired, please refresh it') };
  if (!shop) return { reply: err(401, 36009004, 'Invalid access token') };
  if (req.query.get('shop_cipher') !== shop.cipher) return { reply: err(401, 36009004, 'Invalid shop_cipher') };
  return { shop };
}

function pageSize(req: FakeRequest, min: number, max: number): number | FakeReply {
  const n = num(req, 'page_size');
  return Number.isInteger(n) && n >= min && n <= max ? n : err(400, 36009003, `page_size must be between ${min} and ${max}`);
}

function page<T>(list: T[], req: FakeRequest, size: number): { items: T[]; next: string } | FakeReply {
  const offset = offsetOf(req.query.get('page_token'));
  if (offset < 0) return err(400, 36009003, 'Invalid page_token');
  const items = list.slice(offset, offset + size);
  return { items, next: offset + size < list.length ? pageToken(offset + size) : '' };
}

function orderDetail(o: GenOrder): Record<string, unknown> {
  return {
    id: o.id, status: o.status, create_time: o.malformed ? 'yesterday' : o.createdSec, update_time: o.updatedSec, paid_time: o.createdSec + 60,
    buyer_email: `buyer${o.idx}@scs.tiktokw.us`, buyer_message: '',
    recipient_address: { name: o.buyer.name, phone_number: o.buyer.phone, full_address: `${o.idx} Đường Lê Lợi, ${o.buyer.city}`, region_code: 'VN' },
    payment: { currency: o.currency, total_amount: o.malformed ? 'N/A' : o.total, sub_total: o.total, shipping_fee: o.shippingFee, seller_discount: '0', platform_discount: '0' },
    line_items: o.items.map((it) => ({ id: it.itemId, product_id: it.productId, product_name: it.name, sku_id: it.sku, seller_sku: it.sku, sale_price: it.price, original_price: it.price, currency: o.currency, quantity: it.qty, tracking_number: o.trackingNumber })),
    tracking_number: o.trackingNumber, shipping_provider: 'J&T Express', delivery_type: 'HOME_DELIVERY',
  };
}

function timeFilter(req: FakeRequest, ge: string, lt: string): [number, number] {
  const b = req.body;
  return [Number(b[ge] ?? 0), Number(b[lt] ?? Number.MAX_SAFE_INTEGER)];
}

const routes: Route[] = [
  {
    method: 'GET', path: '/api/v2/token/refresh', unscoped: true,
    handle: ({ req, fake }) => {
      if (req.query.get('grant_type') !== 'refresh_token') return err(400, 36004004, 'grant_type must be refresh_token');
      return refreshReply(fake, req);
    },
  },
  {
    method: 'POST', path: '/order/202309/orders/search',
    handle: ({ req, shop }) => {
      const size = pageSize(req, 1, 100);
      if (typeof size !== 'number') return size;
      const [ge, lt] = timeFilter(req, 'create_time_ge', 'create_time_lt');
      const all = createdBetween(shop.data.orders, ge, lt);
      const p = page(all, req, size);
      if ('status' in p) return p;
      return ok({ orders: p.items.map((o) => ({ id: o.id, status: o.status, create_time: o.createdSec, update_time: o.updatedSec })), next_page_token: p.next, total_count: all.length });
    },
  },
  {
    method: 'GET', path: '/order/202309/orders',
    handle: ({ req, shop }) => {
      const ids = String(req.query.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length === 0 || ids.length > 50) return err(400, 36009003, `ids must hold 1 to 50 order ids, got ${ids.length}`);
      const { byId } = shopIndex(shop.data);
      return ok({ orders: ids.flatMap((id) => (byId.has(id) ? [orderDetail(byId.get(id)!)] : [])) });
    },
  },
  {
    method: 'GET', path: '/fulfillment/202309/orders/:order_id/tracking',
    handle: ({ shop, params }) => {
      const o = shopIndex(shop.data).byId.get(params.order_id);
      if (!o) return err(200, 21011001, `order ${params.order_id} does not exist`);
      return ok({ tracking: [
        { description: 'Seller is preparing the parcel', update_time_millis: (o.createdSec + 300) * 1000 },
        { description: 'Parcel picked up by carrier', update_time_millis: (o.createdSec + 7200) * 1000 },
      ] });
    },
  },
  {
    method: 'POST', path: '/return_refund/202309/returns/search',
    handle: ({ req, shop }) => {
      const size = pageSize(req, 10, 50);
      if (typeof size !== 'number') return size;
      const [ge, lt] = timeFilter(req, 'create_time_ge', 'create_time_lt');
      // return_ids (at most 50) narrows the search to those returns (how a return is fetched by id).
      const wanted = req.body.return_ids;
      if (wanted !== undefined && (!Array.isArray(wanted) || wanted.length < 1 || wanted.length > 50)) return err(400, 36009003, 'return_ids must hold 1 to 50 return ids');
      const ids = Array.isArray(wanted) ? new Set(wanted.map(String)) : null;
      const p = page(createdBetween(shop.data.returns, ge, lt).filter((r) => !ids || ids.has(r.id)), req, size);
      if ('status' in p) return p;
      return ok({ return_orders: p.items.map((r) => ({ return_id: r.id, order_id: r.orderId, return_status: r.status, return_type: 'REFUND', create_time: r.createdSec, update_time: r.updatedSec, refund_amount: { currency: 'VND', refund_total: r.amount } })), next_page_token: p.next });
    },
  },
  {
    method: 'GET', path: '/finance/202309/statements',
    handle: ({ req, shop }) => {
      const size = pageSize(req, 1, 100);
      if (typeof size !== 'number') return size;
      const ge = num(req, 'statement_time_ge');
      const lt = num(req, 'statement_time_lt');
      const statements = [...new Map(shop.data.txns.map((t) => [t.statementId, t])).values()]
        .map((t) => ({ id: t.statementId, statement_time: Number(t.statementId.slice(2 + shop.data.spec.shopId.length)) + 43_200 }))
        .filter((s) => s.statement_time >= ge && s.statement_time < lt);
      const p = page(statements, req, size);
      if ('status' in p) return p;
      return ok({ statements: p.items.map((s) => ({ ...s, currency: 'VND', payment_status: 'PAID' })), next_page_token: p.next });
    },
  },
  {
    method: 'GET', path: '/finance/202309/statements/:statement_id/statement_transactions',
    handle: ({ req, shop, params }) => {
      const size = pageSize(req, 1, 100);
      if (typeof size !== 'number') return size;
      const p = page(shop.data.txns.filter((t) => t.statementId === params.statement_id), req, size);
      if ('status' in p) return p;
      return ok({ statement_id: params.statement_id, statement_transactions: p.items.map((t) => ({ id: t.id, order_id: t.orderId, type: 'ORDER', order_create_time: t.createdSec - 1800, settlement_amount: t.amount, fee_amount: `-${t.fee}`, revenue_amount: t.amount, currency: 'VND' })), next_page_token: p.next });
    },
  },
  {
    method: 'POST', path: '/product/202309/products/search',
    handle: ({ req, shop }) => {
      const size = pageSize(req, 1, 100);
      if (typeof size !== 'number') return size;
      const p = page(shop.data.products, req, size);
      if ('status' in p) return p;
      return ok({ products: p.items.map((x) => ({ id: x.id, title: x.name, status: x.status, create_time: x.createdSec, update_time: x.updatedSec, skus: [{ id: `${x.id}01`, seller_sku: `S-${x.id}`, price: { currency: 'VND', sale_price: x.price } }] })), next_page_token: p.next, total_count: shop.data.products.length });
    },
  },
];

function refreshReply(fake: FakeMarketplace, req: FakeRequest): FakeReply {
  const shop = fake.refresh(String(req.query.get('refresh_token') ?? ''));
  if (!shop) return err(401, 36004005, 'invalid refresh_token');
  const now = Math.floor(Date.now() / 1000);
  return ok({ access_token: shop.accessToken, access_token_expire_in: now + 7 * 86_400, refresh_token: shop.refreshToken, refresh_token_expire_in: now + 30 * 86_400, open_id: shop.data.spec.shopId, seller_name: `Shop ${shop.data.spec.shopId}` });
}

export const tiktokPlatform: Platform = {
  name: 'tiktok', prefix: '', routes, authenticate,
  rateLimitReply: () => err(429, 36009002, 'Too many requests, please retry later'),
  serverErrorReply: (status) => err(status, 36009007, status === 503 ? 'Service is overloaded' : 'Internal error, please retry'),
  failReply: (code, message) => err(200, Number(code), message),
};

export async function startTiktokFake(opts: FakeOptions): Promise<FakeMarketplace> {
  const fake = new FakeMarketplace(tiktokPlatform, { limitPerSec: 50, banMs: 0, maxPastSec: 300, maxFutureSec: 30, ...opts });
  await fake.start();
  return fake;
}
