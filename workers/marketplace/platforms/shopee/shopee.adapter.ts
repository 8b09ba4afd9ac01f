/** Shopee v2 adapter: cursor pagination in windows of at most 15 days, 50-sn detail batches, escrow, wallet, returns, items. */
import { capWindows, type TimeWindow } from '../../../../plugins/date-range';
import { chunked, mapLimit, perOrderLanes, type AdapterContext } from '../adapter-context';
import { authFailure, PlatformCaller, type CallRequest } from '../caller';
import { PlatformError, type Credentials, type OrderStub, type PlatformAdapter, type RawRecord } from '../types';
import { signShopee } from './sign';

export interface ShopeeApp {
  partnerId: number;
  partnerKey: string;
  rateLimit: number;
  maxWindowDays: number;
}

const PAGE = 100;
const DETAIL_FIELDS = 'buyer_user_id,buyer_username,recipient_address,item_list,pay_time,total_amount,actual_shipping_fee,shipping_carrier,package_list';

type Envelope = { error?: string; message?: string; response?: unknown };

function classify(endpoint: string, status: number, body: unknown): { data: unknown } | PlatformError {
  const env = (body ?? {}) as Envelope;
  if (status < 300 && body !== undefined && !env.error) return { data: env.response ?? {} };
  const code = env.error || `HTTP${status}`;
  const msg = env.message || `HTTP ${status}`;
  if (status === 429 || code === 'error_rate_limit') return new PlatformError('shopee', endpoint, 'rate-limited', code, msg);
  if (code === 'invalid_acceess_token' || code === 'invalid_access_token' || (code === 'error_auth' && /access_token/i.test(msg))) return new PlatformError('shopee', endpoint, 'auth-expired', code, msg);
  if (status >= 500 || body === undefined || code === 'error_server' || code === 'error_busy' || code === 'error_network') return new PlatformError('shopee', endpoint, 'retryable', code, msg);
  return new PlatformError('shopee', endpoint, 'non-retryable', code, msg);
}

export class ShopeeAdapter implements PlatformAdapter {
  readonly platform = 'shopee' as const;
  readonly stats;
  private readonly caller: PlatformCaller;
  private readonly maxWindowMs: number;

  constructor(private readonly ctx: AdapterContext, private readonly app: ShopeeApp) {
    this.stats = ctx.stats;
    this.maxWindowMs = app.maxWindowDays * 86_400_000;
    this.caller = new PlatformCaller({
      platform: 'shopee', limitKey: `shopee:${ctx.shop.shopId}`, http: ctx.http, limiter: ctx.limiter, stats: ctx.stats, signal: ctx.signal,
      ...ctx.retry, banMs: 1_000, classify, refresh: (used) => this.ctx.tokens.refresh(used, (current) => this.exchange(current)),
    });
  }

  private async get(endpoint: string, path: string, params: Record<string, string | number>): Promise<Record<string, unknown>> {
    const build = async (): Promise<CallRequest> => {
      const { accessToken } = await this.ctx.tokens.load();
      const timestamp = Math.floor(Date.now() / 1000);
      const query: Record<string, string> = {
        partner_id: String(this.app.partnerId), timestamp: String(timestamp), access_token: accessToken, shop_id: this.ctx.shop.shopId,
        sign: signShopee(this.app.partnerKey, this.app.partnerId, path, timestamp, accessToken, this.ctx.shop.shopId),
      };
      for (const [k, v] of Object.entries(params)) query[k] = String(v);
      return { method: 'GET', path, query, token: accessToken };
    };
    return (await this.caller.call(endpoint, build)) as Record<string, unknown>;
  }

  /** Shopee windows are inclusive seconds and at most 15 days long. */
  private windows(w: TimeWindow): Array<{ from: number; to: number }> {
    return capWindows(w, this.maxWindowMs).map((x) => ({ from: Math.floor(x.startMs / 1000), to: Math.floor(x.endMs / 1000) - 1 }));
  }

  async *orders(w: TimeWindow): AsyncGenerator<OrderStub[]> {
    for (const { from, to } of this.windows(w)) {
      let cursor = '';
      for (;;) {
        const data = await this.get('order.list', '/api/v2/order/get_order_list', { time_range_field: 'create_time', time_from: from, time_to: to, page_size: PAGE, cursor });
        const list = ((data.order_list as RawRecord[]) ?? []).map((o) => ({ id: String(o.order_sn), summary: o }));
        if (list.length) yield list;
        if (!data.more) break;
        cursor = String(data.next_cursor ?? '');
      }
    }
  }

  async orderDetails(stubs: OrderStub[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(stubs.map((s) => s.id), this.ctx.detailBatch)) {
      const data = await this.get('order.detail', '/api/v2/order/get_order_detail', { order_sn_list: group.join(','), response_optional_fields: DETAIL_FIELDS });
      out.push(...((data.order_list as RawRecord[]) ?? []));
    }
    return out;
  }

  /** get_order_detail by order_sn_list (at most 50); order_sn the shop does not have are absent from the answer. */
  async ordersById(ids: readonly string[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(ids, this.ctx.detailBatch)) {
      const data = await this.get('order.detail', '/api/v2/order/get_order_detail', { order_sn_list: group.join(','), response_optional_fields: DETAIL_FIELDS });
      out.push(...((data.order_list as RawRecord[]) ?? []));
    }
    return out;
  }

  tracking(ids: string[]): Promise<RawRecord[]> {
    return mapLimit(ids, perOrderLanes(this.app.rateLimit), async (sn) => ({ order_sn: sn, ...(await this.get('logistics.tracking', '/api/v2/logistics/get_tracking_info', { order_sn: sn })) }));
  }

  orderMoney(ids: string[]): Promise<RawRecord[]> {
    return mapLimit(ids, perOrderLanes(this.app.rateLimit), async (sn) => ({ order_sn: sn, kind: 'escrow', ...(await this.get('payment.escrow', '/api/v2/payment/get_escrow_detail', { order_sn: sn })) }));
  }

  private async *pagedByNumber(endpoint: string, path: string, w: TimeWindow, pick: (d: Record<string, unknown>) => RawRecord[]): AsyncGenerator<RawRecord[]> {
    for (const { from, to } of this.windows(w)) {
      for (let page = 1; ; page++) {
        const data = await this.get(endpoint, path, { page_no: page, page_size: PAGE, create_time_from: from, create_time_to: to });
        const items = pick(data);
        if (items.length) yield items;
        if (!data.more) break;
      }
    }
  }

  async *transactions(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    for await (const page of this.pagedByNumber('payment.wallet', '/api/v2/payment/get_wallet_transaction_list', w, (d) => (d.transaction_list as RawRecord[]) ?? [])) {
      yield page.map((t) => ({ ...t, kind: 'wallet' }));
    }
  }

  returns(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    return this.pagedByNumber('returns.list', '/api/v2/returns/get_return_list', w, (d) => (d.return as RawRecord[]) ?? []);
  }

  /** The item list carries update_time: base info is fetched (in 50s) only for items that changed. */
  async *products(changed: (id: string, updateTime: number) => boolean): AsyncGenerator<RawRecord[]> {
    for (let offset = 0; ; ) {
      const data = await this.get('product.list', '/api/v2/product/get_item_list', { offset, page_size: PAGE, item_status: 'NORMAL' });
      const fresh = ((data.item as RawRecord[]) ?? []).filter((i) => changed(String(i.item_id), Number(i.update_time)));
      for (const group of chunked(fresh.map((i) => String(i.item_id)), this.ctx.detailBatch)) {
        const info = await this.get('product.base_info', '/api/v2/product/get_item_base_info', { item_id_list: group.join(',') });
        const items = (info.item_list as RawRecord[]) ?? [];
        if (items.length) yield items;
      }
      if (!data.has_next_page) break;
      offset = Number(data.next_offset);
    }
  }

  /** POST /api/v2/auth/access_token/get (public signature); the new pair is saved on the shop. */
  private async exchange(creds: Credentials): Promise<Credentials> {
    const path = '/api/v2/auth/access_token/get';
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await this.ctx.authHttp.text(path, {
      method: 'POST', signal: this.ctx.signal,
      query: { partner_id: String(this.app.partnerId), timestamp: String(timestamp), sign: signShopee(this.app.partnerKey, this.app.partnerId, path, timestamp) },
      body: { refresh_token: creds.refreshToken, partner_id: this.app.partnerId, shop_id: Number(this.ctx.shop.shopId) },
    }).catch((err: unknown) => {
      throw authFailure('shopee', err);
    });
    const d = JSON.parse(res.text) as { error?: string; message?: string; access_token?: string; refresh_token?: string; expire_in?: number };
    if (d.error || !d.access_token || !d.refresh_token) throw new PlatformError('shopee', 'token.refresh', 'non-retryable', d.error ?? '', d.message ?? 'token refresh failed');
    return { accessToken: d.access_token, refreshToken: d.refresh_token, accessExpiresAt: d.expire_in ? new Date(Date.now() + d.expire_in * 1000).toISOString() : undefined };
  }
}
