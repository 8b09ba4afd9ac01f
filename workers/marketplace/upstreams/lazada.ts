/**
 * Fake Lazada Open Platform: system params `app_key`, `timestamp` (ms), `access_token`, `sign_method=sha256`,
 * `sign` = UPPERCASE hex HMAC-SHA256 over the API path + sorted key/value pairs; envelopes with HTTP 200 for
 * errors too (`{ code, type, message, request_id }`), an offset cap on /orders/get, `ApiCallLimit` with a ban.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { FakeMarketplace, num, type FakeOptions, type FakeReply, type FakeRequest, type Platform, type Route } from './fake-server';
import { shopIndex, type GenOrder } from './shop-data';

export const LAZADA_APP = { appKey: '100123', appSecret: 'fake-lazada-app-secret-xyz' };

export function lazadaSignature(secret: string, apiPath: string, params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].filter((k) => k !== 'sign').sort();
  return createHmac('sha256', secret).update(apiPath + keys.map((k) => k + params.get(k)).join('')).digest('hex').toUpperCase();
}

const rid = (): string => randomBytes(8).toString('hex');
const ok = (data: unknown): FakeReply => ({ status: 200, body: { code: '0', data, request_id: rid() } });
const fail = (code: string, message: string, type = 'ISV'): FakeReply => ({ status: 200, body: { code, type, message, request_id: rid() } });

function isoAt(sec: number): string {
  return new Date((sec + 7 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' +0700';
}

function authenticate(req: FakeRequest, fake: FakeMarketplace, route: Route): ReturnType<Platform['authenticate']> {
  if (req.query.get('app_key') !== LAZADA_APP.appKey) return { reply: fail('InvalidApiKey', 'Invalid app_key') };
  const ts = Number(req.query.get('timestamp'));
  if (!Number.isInteger(ts) || ts < req.receivedAt - fake.opts.maxPastSec * 1000 || ts > req.receivedAt + fake.opts.maxFutureSec * 1000) return { reply: fail('InvalidTimestamp', 'Timestamp is invalid or expired') };
  if (req.query.get('sign_method') !== 'sha256') return { reply: fail('InvalidSignMethod', 'sign_method must be sha256') };
  const expected = lazadaSignature(LAZADA_APP.appSecret, req.path.replace(/^\/rest/, ''), req.query);
  const sign = String(req.query.get('sign') ?? '');
  if (sign.length !== expected.length || !timingSafeEqual(Buffer.from(sign), Buffer.from(expected))) return { reply: fail('IncompleteSignature', 'The request signature does not conform to platform standards') };
  if (route.unscoped) return { shop: [...fake.shops.values()][0] };
  const { shop, expired } = fake.byToken(String(req.query.get('access_token') ?? ''));
  if (expired || !shop) return { reply: fail('IllegalAccessToken', 'The specified access token is invalid or expired') };
  return { shop };
}

function orderRow(o: GenOrder): Record<string, unknown> {
  return {
    order_id: Number(o.id), order_number: Number(o.id), created_at: o.malformed ? '31/02/2024' : isoAt(o.createdSec), updated_at: isoAt(o.updatedSec),
    price: o.malformed ? 'N/A' : o.total, shipping_fee: o.shippingFee, statuses: [o.status.toLowerCase()], items_count: o.items.length, payment_method: 'COD',
    customer_first_name: o.buyer.name, address_shipping: { first_name: o.buyer.name, phone: o.buyer.phone, city: o.buyer.city, country: 'Vietnam' },
  };
}

const routes: Route[] = [
  {
    method: 'GET', path: '/auth/token/refresh', unscoped: true,
    handle: ({ req, fake }) => {
      const shop = fake.refresh(String(req.query.get('refresh_token') ?? ''));
      if (!shop) return fail('InvalidRefreshToken', 'refresh_token is invalid or expired');
      return { status: 200, body: { code: '0', access_token: shop.accessToken, refresh_token: shop.refreshToken, expires_in: 604_800, refresh_expires_in: 2_592_000, country: 'vn', account: `seller${shop.data.spec.shopId}@example.com`, request_id: rid() } };
    },
  },
  {
    method: 'GET', path: '/orders/get',
    handle: ({ req, shop, fake }) => {
      const after = Date.parse(String(req.query.get('created_after') ?? ''));
      if (Number.isNaN(after)) return fail('MissingParameter', 'created_after or update_after is required (ISO 8601)');
      const beforeText = req.query.get('created_before');
      const before = beforeText ? Date.parse(beforeText) : Number.MAX_SAFE_INTEGER;
      const limit = num(req, 'limit') || 100;
      const offset = num(req, 'offset') || 0;
      if (limit < 1 || limit > 100) return fail('InvalidParameter', 'limit must be between 1 and 100');
      if (offset > fake.maxOffset) return fail('InvalidParameter', `offset must not exceed ${fake.maxOffset}`);
      const all = shop.data.orders.filter((o) => o.createdSec * 1000 >= after && o.createdSec * 1000 < before);
      const items = all.slice(offset, offset + limit);
      return ok({ count: items.length, countTotal: all.length, orders: items.map(orderRow) });
    },
  },
  {
    // One order by id (Lazada has no multi-order header call); an id the seller does not have is E016.
    method: 'GET', path: '/order/get',
    handle: ({ req, shop }) => {
      const id = String(req.query.get('order_id') ?? '');
      if (!/^\d+$/.test(id)) return fail('InvalidParameter', 'order_id must be one numeric order id');
      const o = shop.data.orders.find((x) => x.id === id);
      return o ? ok(orderRow(o)) : fail('E016', 'Invalid Order ID');
    },
  },
  {
    method: 'GET', path: '/orders/items/get',
    handle: ({ req, shop }) => {
      let ids: unknown;
      try {
        ids = JSON.parse(String(req.query.get('order_ids') ?? ''));
      } catch {
        return fail('InvalidParameter', 'order_ids must be a JSON array, e.g. [1,2]');
      }
      if (!Array.isArray(ids) || ids.length === 0) return fail('InvalidParameter', 'order_ids must be a JSON array, e.g. [1,2]');
      if (ids.length > 50) return fail('E038', 'Too many orders were requested (at most 50)');
      const { byId } = shopIndex(shop.data);
      return ok(ids.flatMap((id) => {
        const o = byId.get(String(id));
        return o ? [{ order_id: Number(o.id), order_number: Number(o.id), order_items: o.items.map((it) => ({ order_item_id: Number(it.itemId), name: it.name, sku: it.sku, shop_sku: `${it.productId}_VNAMZ`, item_price: it.price, paid_price: it.price, quantity: it.qty, status: o.status.toLowerCase(), tracking_code: o.trackingNumber, shipment_provider: 'LEX VN', created_at: isoAt(o.createdSec), updated_at: isoAt(o.updatedSec) })) }] : [];
      }));
    },
  },
  {
    method: 'GET', path: '/logistic/order/trace',
    handle: ({ req, shop }) => {
      const o = shopIndex(shop.data).byId.get(String(req.query.get('order_id')));
      if (!o) return fail('E082', 'order not found');
      return ok({ module: [{ order_id: o.id, package_detail_info_list: [{ tracking_number: o.trackingNumber, logistic_detail_info_list: [
        { detail_type: 'PACKED', description: 'Đã đóng gói', event_time: (o.createdSec + 300) * 1000 },
        { detail_type: 'PICKED_UP', description: 'Đã lấy hàng', event_time: (o.createdSec + 7200) * 1000 },
      ] }] }] });
    },
  },
  {
    method: 'GET', path: '/finance/transaction/details/get',
    handle: ({ req, shop }) => {
      const start = Date.parse(`${req.query.get('start_time')}T00:00:00+07:00`);
      const end = Date.parse(`${req.query.get('end_time')}T00:00:00+07:00`) + 86_400_000;
      if (Number.isNaN(start) || Number.isNaN(end)) return fail('MissingParameter', 'start_time and end_time are required (YYYY-MM-DD)');
      if (end - start > 180 * 86_400_000) return fail('InvalidParameter', 'the period must be shorter than 180 days');
      const limit = num(req, 'limit') || 500;
      if (limit > 500) return fail('InvalidParameter', 'limit must not exceed 500');
      const offset = num(req, 'offset') || 0;
      const all = shop.data.txns.filter((t) => t.createdSec * 1000 >= start && t.createdSec * 1000 < end);
      return ok(all.slice(offset, offset + limit).map((t) => ({ transaction_number: t.id, order_no: t.orderId, amount: t.amount, WHT_amount: '0', transaction_date: isoAt(t.createdSec).slice(0, 10), transaction_type: 'Orders-Sales', fee_name: 'Item Price Credit', paid_status: 'Paid', statement: `${isoAt(t.createdSec).slice(0, 7)}` })));
    },
  },
  {
    method: 'GET', path: '/reverse/getreverseordersforseller',
    handle: ({ req, shop }) => {
      const a = num(req, 'create_time_start');
      const b = num(req, 'create_time_end');
      const size = num(req, 'page_size') || 10;
      if (size < 1 || size > 100) return fail('InvalidParameter', 'page_size must be between 1 and 100');
      const pageNo = Math.max(1, num(req, 'page_no') || 1);
      const all = shop.data.returns.filter((r) => (Number.isNaN(a) || r.createdSec * 1000 >= a) && (Number.isNaN(b) || r.createdSec * 1000 < b));
      const items = all.slice((pageNo - 1) * size, pageNo * size);
      // VN amounts are in dong; other regions in cents.
      return ok({ total: all.length, page_no: pageNo, page_size: size, items: items.map((r) => ({ reverse_order_id: Number(r.id.slice(1)), trade_order_id: Number(r.orderId), reverse_status: 'REQUEST_INITIATE', is_rtm: false, refund_amount: Number(r.amount), create_time: r.createdSec * 1000, update_time: r.updatedSec * 1000 })) });
    },
  },
  {
    method: 'GET', path: '/products/get',
    handle: ({ req, shop }) => {
      const limit = num(req, 'limit') || 20;
      if (limit < 1 || limit > 50) return fail('InvalidParameter', 'limit must be between 1 and 50');
      const offset = num(req, 'offset') || 0;
      return ok({ total_products: shop.data.products.length, products: shop.data.products.slice(offset, offset + limit).map((p) => ({ item_id: Number(p.id), status: 'Active', created_time: String(p.createdSec * 1000), updated_time: String(p.updatedSec * 1000), attributes: { name: p.name }, skus: [{ SkuId: Number(`${p.id}1`), SellerSku: `S-${p.id}`, price: Number(p.price), special_price: Number(p.price) }] })) });
    },
  },
];

export const lazadaPlatform: Platform = {
  name: 'lazada', prefix: '/rest', routes, authenticate,
  rateLimitReply: (fake) => fail('ApiCallLimit', `The request has exceeded the limit. ban will last ${Math.max(1, Math.round(fake.opts.banMs / 1000))} seconds`, 'ISP'),
  serverErrorReply: (status) => ({ status, body: { code: 'ServiceUnavailable', type: 'SYSTEM', message: 'The service is temporarily unavailable', request_id: rid() } }),
  failReply: (code, message) => fail(code, message),
};

/** Lazada's numeric limits are unconfirmed: 20 requests/s per API per seller and a 1 s ban by default here. */
export async function startLazadaFake(opts: FakeOptions & { maxOffset?: number }): Promise<FakeMarketplace> {
  const fake = new FakeMarketplace(lazadaPlatform, { limitPerSec: 20, banMs: 1_000, maxPastSec: 300, maxFutureSec: 300, ...opts });
  fake.maxOffset = opts.maxOffset ?? 5_000;
  await fake.start();
  return fake;
}
