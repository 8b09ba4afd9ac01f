/**
 * Lazada adapter: offset pagination on /orders/get up to the offset cap (a window holding more orders than the cap
 * reaches is halved until each half fits), 50-id item batches, trace, finance transactions, reverse orders, products.
 */
import { dayOf, halveWindow, offsetMsAt, type TimeWindow } from '../../../../plugins/date-range';
import { chunked, mapLimit, perOrderLanes, type AdapterContext } from '../adapter-context';
import { authFailure, PlatformCaller, type CallRequest } from '../caller';
import { PlatformError, type Credentials, type OrderStub, type PlatformAdapter, type RawRecord } from '../types';
import { signLazada } from './sign';

export interface LazadaApp {
  appKey: string;
  appSecret: string;
  rateLimit: number;
  banMs: number;
  maxOffset: number;
  /** Path prefix of the gateway (`/rest`). */
  apiPrefix: string;
  authPrefix: string;
}

export const LAZADA_GATEWAYS: Record<string, string> = {
  SG: 'https://api.lazada.sg/rest', TH: 'https://api.lazada.co.th/rest', MY: 'https://api.lazada.com.my/rest',
  VN: 'https://api.lazada.vn/rest', PH: 'https://api.lazada.com.ph/rest', ID: 'https://api.lazada.co.id/rest',
};

const PAGE = 100;
const FINANCE_PAGE = 500;
const PRODUCT_PAGE = 50;
/** /order/get's answer for an order id the seller does not have (Seller Center error table; unconfirmed for this call). */
const ORDER_NOT_FOUND = 'E016';

type Envelope = { code?: string; type?: string; message?: string; data?: unknown };

function classify(endpoint: string, status: number, body: unknown): { data: unknown } | PlatformError {
  const env = (body ?? {}) as Envelope;
  if (status < 300 && env.code === '0') return { data: env.data ?? {} };
  const code = env.code ?? `HTTP${status}`;
  const msg = env.message ?? `HTTP ${status}`;
  if (code === 'ApiCallLimit' || status === 429) {
    const secs = /ban will last (\d+) second/i.exec(msg);
    return new PlatformError('lazada', endpoint, 'rate-limited', code, msg, secs ? Number(secs[1]) * 1000 : undefined);
  }
  if (code === 'IllegalAccessToken') return new PlatformError('lazada', endpoint, 'auth-expired', code, msg);
  if (status >= 500 || env.type === 'ISP' || env.type === 'SYSTEM' || body === undefined) return new PlatformError('lazada', endpoint, 'retryable', code, msg);
  return new PlatformError('lazada', endpoint, 'non-retryable', code, msg);
}

/** ISO-8601 with the shop's offset, as /orders/get wants it: 2024-01-01T00:00:00+07:00. */
export function isoInZone(ms: number, timeZone: string): string {
  const off = offsetMsAt(ms, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60_000;
  return `${new Date(ms + off).toISOString().slice(0, 19)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export class LazadaAdapter implements PlatformAdapter {
  readonly platform = 'lazada' as const;
  readonly stats;
  private readonly caller: PlatformCaller;

  constructor(private readonly ctx: AdapterContext, private readonly app: LazadaApp) {
    this.stats = ctx.stats;
    this.caller = new PlatformCaller({
      platform: 'lazada', limitKey: `lazada:${ctx.shop.shopId}`, http: ctx.http, limiter: ctx.limiter, stats: ctx.stats, signal: ctx.signal,
      ...ctx.retry, banMs: app.banMs, classify, refresh: (used) => this.ctx.tokens.refresh(used, (current) => this.exchange(current)),
    });
  }

  private async get(endpoint: string, apiPath: string, params: Record<string, string | number>): Promise<unknown> {
    const build = async (): Promise<CallRequest> => {
      const { accessToken } = await this.ctx.tokens.load();
      const query: Record<string, string> = { app_key: this.app.appKey, timestamp: String(Date.now()), access_token: accessToken, sign_method: 'sha256' };
      for (const [k, v] of Object.entries(params)) query[k] = String(v);
      query.sign = signLazada(this.app.appSecret, apiPath, query);
      return { method: 'GET', path: this.app.apiPrefix + apiPath, query, token: accessToken };
    };
    return this.caller.call(endpoint, build);
  }

  async *orders(w: TimeWindow): AsyncGenerator<OrderStub[]> {
    const tz = this.ctx.shop.timeZone;
    const range = { created_after: isoInZone(w.startMs, tz), created_before: isoInZone(w.endMs, tz), sort_by: 'created_at', sort_direction: 'ASC', limit: PAGE };
    for (let offset = 0; ; offset += PAGE) {
      const data = (await this.get('orders.get', '/orders/get', { ...range, offset })) as { countTotal?: number | string; orders?: RawRecord[] };
      const total = Number(data.countTotal ?? 0);
      if (offset === 0 && total > this.app.maxOffset + PAGE && w.endMs - w.startMs > 1_000) {
        // More orders than offsets reach: page each half instead (the first page is simply read again there).
        for (const half of halveWindow(w)) yield* this.orders(half);
        return;
      }
      const orders = data.orders ?? [];
      if (orders.length) yield orders.map((o) => ({ id: String(o.order_id), summary: o }));
      if (orders.length < PAGE || offset + PAGE >= total) return;
      if (offset + PAGE > this.app.maxOffset) throw new PlatformError('lazada', 'orders.get', 'non-retryable', 'OffsetCap', `more than ${this.app.maxOffset + PAGE} orders in one second, cannot page them`);
    }
  }

  /** The listing carries the order; its items come from /orders/items/get, 50 ids at a time. */
  async orderDetails(stubs: OrderStub[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(stubs, this.ctx.detailBatch)) {
      const data = (await this.get('orders.items', '/orders/items/get', { order_ids: `[${group.map((s) => s.id).join(',')}]` })) as RawRecord[];
      const items = new Map((Array.isArray(data) ? data : []).map((d) => [String(d.order_id), d.order_items]));
      out.push(...group.map((s) => ({ ...s.summary, order_items: items.get(s.id) ?? [] })));
    }
    return out;
  }

  /**
   * Lazada has no multi-order header call: each order comes from /order/get (one id, paced by the shared limiter,
   * perOrderLanes in flight), then its items from one /orders/items/get per 50 ids (as the sync's orderDetails).
   * An id Lazada answers E016 (unknown order) or with an empty order is left out; any other failure fails the call.
   */
  async ordersById(ids: readonly string[]): Promise<RawRecord[]> {
    // Lazada order ids are numbers (order_ids is a JSON array of them): anything else cannot be one of its orders.
    const numeric = ids.filter((id) => /^\d+$/.test(id));
    const out: RawRecord[] = [];
    for (const group of chunked(numeric, this.ctx.detailBatch)) {
      const heads = await mapLimit(group, perOrderLanes(this.app.rateLimit), (id) => this.orderHead(id));
      const stubs = heads.flatMap((h) => (h ? [{ id: String(h.order_id), summary: h }] : []));
      if (stubs.length) out.push(...(await this.orderDetails(stubs)));
    }
    return out;
  }

  private async orderHead(id: string): Promise<RawRecord | undefined> {
    try {
      const data = (await this.get('order.get', '/order/get', { order_id: id })) as RawRecord | undefined;
      return data && data.order_id !== undefined && data.order_id !== null ? data : undefined;
    } catch (err) {
      if (err instanceof PlatformError && err.code === ORDER_NOT_FOUND) return undefined;
      throw err;
    }
  }

  tracking(ids: string[]): Promise<RawRecord[]> {
    return mapLimit(ids, perOrderLanes(this.app.rateLimit), async (id) => {
      const data = (await this.get('logistic.trace', '/logistic/order/trace', { order_id: id })) as { module?: RawRecord[] };
      return { order_id: id, packages: data.module?.[0]?.package_detail_info_list ?? [] };
    });
  }

  async orderMoney(): Promise<RawRecord[]> {
    return [];
  }

  async *transactions(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    const tz = this.ctx.shop.timeZone;
    const range = { start_time: dayOf(w.startMs, tz), end_time: dayOf(w.endMs - 1, tz), limit: FINANCE_PAGE };
    for (let offset = 0; ; offset += FINANCE_PAGE) {
      const data = (await this.get('finance.transactions', '/finance/transaction/details/get', { ...range, offset })) as RawRecord[];
      const list = Array.isArray(data) ? data : [];
      if (list.length) yield list;
      if (list.length < FINANCE_PAGE) return;
    }
  }

  async *returns(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    for (let page = 1; ; page++) {
      const data = (await this.get('reverse.list', '/reverse/getreverseordersforseller', { page_no: page, page_size: PAGE, create_time_start: w.startMs, create_time_end: w.endMs })) as { items?: RawRecord[]; total?: number };
      const items = data.items ?? [];
      if (items.length) yield items;
      if (items.length < PAGE || page * PAGE >= Number(data.total ?? 0)) return;
    }
  }

  async *products(changed: (id: string, updateTime: number) => boolean): AsyncGenerator<RawRecord[]> {
    for (let offset = 0; ; offset += PRODUCT_PAGE) {
      const data = (await this.get('products.get', '/products/get', { filter: 'all', limit: PRODUCT_PAGE, offset })) as { products?: RawRecord[]; total_products?: number };
      const list = data.products ?? [];
      const fresh = list.filter((p) => changed(String(p.item_id), Number(p.updated_time)));
      if (fresh.length) yield fresh;
      if (list.length < PRODUCT_PAGE || offset + PRODUCT_PAGE >= Number(data.total_products ?? 0)) return;
    }
  }

  /** GET /auth/token/refresh on the auth gateway (signed, without an access token). */
  private async exchange(creds: Credentials): Promise<Credentials> {
    const apiPath = '/auth/token/refresh';
    const query: Record<string, string> = { app_key: this.app.appKey, timestamp: String(Date.now()), sign_method: 'sha256', refresh_token: creds.refreshToken };
    query.sign = signLazada(this.app.appSecret, apiPath, query);
    const res = await this.ctx.authHttp.text(this.app.authPrefix + apiPath, { query, signal: this.ctx.signal }).catch((err: unknown) => {
      throw authFailure('lazada', err);
    });
    const d = JSON.parse(res.text) as { code?: string; message?: string; access_token?: string; refresh_token?: string; expires_in?: number };
    if (d.code !== '0' || !d.access_token || !d.refresh_token) throw new PlatformError('lazada', 'token.refresh', 'non-retryable', d.code ?? '', d.message ?? 'token refresh failed');
    return { accessToken: d.access_token, refreshToken: d.refresh_token, accessExpiresAt: d.expires_in ? new Date(Date.now() + d.expires_in * 1000).toISOString() : undefined };
  }
}
