/** TikTok Shop adapter (API 202309): page_token pagination, 50-id detail batches, statements, returns, products. */
import type { TimeWindow } from '../../../../plugins/date-range';
import { chunked, mapLimit, perOrderLanes, type AdapterContext } from '../adapter-context';
import { authFailure, PlatformCaller, type CallRequest } from '../caller';
import { PlatformError, type Credentials, type OrderStub, type PlatformAdapter, type RawRecord } from '../types';
import { signTiktok } from './sign';

export interface TiktokApp {
  appKey: string;
  appSecret: string;
  /** Requests/s per API per shop. */
  rateLimit: number;
}

const PAGE = 100;
const RETURNS_PAGE = 50;

type Envelope = { code?: number; message?: string; data?: unknown };

function classify(endpoint: string, status: number, body: unknown): { data: unknown } | PlatformError {
  const env = (body ?? {}) as Envelope;
  const code = env.code;
  if (status < 300 && code === 0) return { data: env.data ?? {} };
  const msg = env.message ?? `HTTP ${status}`;
  const c = code === undefined ? `HTTP${status}` : String(code);
  if (status === 429 || code === 36009002) return new PlatformError('tiktok', endpoint, 'rate-limited', c, msg);
  if (code === 105002) return new PlatformError('tiktok', endpoint, 'auth-expired', c, msg);
  if (status >= 500 || code === 36009007 || code === undefined) return new PlatformError('tiktok', endpoint, 'retryable', c, msg);
  return new PlatformError('tiktok', endpoint, 'non-retryable', c, msg);
}

export class TiktokAdapter implements PlatformAdapter {
  readonly platform = 'tiktok' as const;
  readonly stats;
  private readonly caller: PlatformCaller;

  constructor(private readonly ctx: AdapterContext, private readonly app: TiktokApp) {
    this.stats = ctx.stats;
    this.caller = new PlatformCaller({
      platform: 'tiktok', limitKey: `tiktok:${ctx.shop.shopId}`, http: ctx.http, limiter: ctx.limiter, stats: ctx.stats, signal: ctx.signal,
      ...ctx.retry, banMs: 1_000, classify, refresh: (used) => this.ctx.tokens.refresh(used, (current) => this.exchange(current)),
    });
  }

  private request(method: 'GET' | 'POST', path: string, params: Record<string, string | number>, body?: unknown): () => Promise<CallRequest> {
    return async () => {
      const { accessToken } = await this.ctx.tokens.load();
      const query: Record<string, string> = { app_key: this.app.appKey, timestamp: String(Math.floor(Date.now() / 1000)), shop_cipher: this.ctx.shop.shopCipher ?? '' };
      for (const [k, v] of Object.entries(params)) query[k] = String(v);
      const text = body === undefined ? '' : JSON.stringify(body);
      query.sign = signTiktok(this.app.appSecret, path, query, text);
      return { method, path, query, body: body === undefined ? undefined : text, headers: { 'content-type': 'application/json', 'x-tts-access-token': accessToken }, token: accessToken };
    };
  }

  private async send(endpoint: string, method: 'GET' | 'POST', path: string, params: Record<string, string | number>, body?: unknown): Promise<Record<string, unknown>> {
    const build = this.request(method, path, params, body);
    return (await this.caller.call(endpoint, build)) as Record<string, unknown>;
  }

  /** Pages a page_token listing; `pick` takes the page's records out of `data`. */
  private async *pages(endpoint: string, method: 'GET' | 'POST', path: string, size: number, pick: (d: Record<string, unknown>) => RawRecord[], params: Record<string, string | number> = {}, body?: unknown): AsyncGenerator<RawRecord[]> {
    let token = '';
    do {
      const data = await this.send(endpoint, method, path, { ...params, page_size: size, ...(token ? { page_token: token } : {}) }, body);
      const items = pick(data);
      if (items.length) yield items;
      token = String(data.next_page_token ?? '');
    } while (token);
  }

  async *orders(w: TimeWindow): AsyncGenerator<OrderStub[]> {
    const body = { create_time_ge: Math.floor(w.startMs / 1000), create_time_lt: Math.floor(w.endMs / 1000) };
    for await (const page of this.pages('orders.search', 'POST', '/order/202309/orders/search', PAGE, (d) => (d.orders as RawRecord[]) ?? [], { sort_field: 'create_time', sort_order: 'ASC' }, body)) {
      yield page.map((o) => ({ id: String(o.id), summary: o }));
    }
  }

  async orderDetails(stubs: OrderStub[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(stubs.map((s) => s.id), this.ctx.detailBatch)) {
      const data = await this.send('orders.detail', 'GET', '/order/202309/orders', { ids: group.join(',') });
      out.push(...((data.orders as RawRecord[]) ?? []));
    }
    return out;
  }

  /** GET /order/202309/orders?ids=… (at most 50 ids); unknown ids are simply absent from the answer. */
  async ordersById(ids: readonly string[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(ids, this.ctx.detailBatch)) {
      const data = await this.send('orders.detail', 'GET', '/order/202309/orders', { ids: group.join(',') });
      out.push(...((data.orders as RawRecord[]) ?? []));
    }
    return out;
  }

  tracking(ids: string[]): Promise<RawRecord[]> {
    return mapLimit(ids, perOrderLanes(this.app.rateLimit), async (id) => {
      const data = await this.send('tracking', 'GET', `/fulfillment/202309/orders/${encodeURIComponent(id)}/tracking`, {});
      return { order_id: id, tracking: data.tracking ?? [] };
    });
  }

  async orderMoney(): Promise<RawRecord[]> {
    return [];
  }

  async *transactions(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    const range = { statement_time_ge: Math.floor(w.startMs / 1000), statement_time_lt: Math.floor(w.endMs / 1000) };
    for await (const statements of this.pages('finance.statements', 'GET', '/finance/202309/statements', PAGE, (d) => (d.statements as RawRecord[]) ?? [], range)) {
      for (const st of statements) {
        const path = `/finance/202309/statements/${encodeURIComponent(String(st.id))}/statement_transactions`;
        for await (const txns of this.pages('finance.transactions', 'GET', path, PAGE, (d) => (d.statement_transactions as RawRecord[]) ?? [])) {
          yield txns.map((t) => ({ ...t, statement_id: st.id, statement_time: st.statement_time }));
        }
      }
    }
  }

  returns(w: TimeWindow): AsyncGenerator<RawRecord[]> {
    const body = { create_time_ge: Math.floor(w.startMs / 1000), create_time_lt: Math.floor(w.endMs / 1000) };
    return this.pages('returns.search', 'POST', '/return_refund/202309/returns/search', RETURNS_PAGE, (d) => (d.return_orders as RawRecord[]) ?? [], {}, body);
  }

  /** The returns search narrowed to `return_ids` (at most 50 per call, one page of 50). */
  async returnsById(ids: readonly string[]): Promise<RawRecord[]> {
    const out: RawRecord[] = [];
    for (const group of chunked(ids, Math.min(this.ctx.detailBatch, RETURNS_PAGE))) {
      for await (const page of this.pages('returns.search', 'POST', '/return_refund/202309/returns/search', RETURNS_PAGE, (d) => (d.return_orders as RawRecord[]) ?? [], {}, { return_ids: group })) out.push(...page);
    }
    return out;
  }

  async *products(changed: (id: string, updateTime: number) => boolean): AsyncGenerator<RawRecord[]> {
    // The search answer carries the whole product: nothing more to fetch for changed ones.
    for await (const page of this.pages('products.search', 'POST', '/product/202309/products/search', PAGE, (d) => (d.products as RawRecord[]) ?? [], {}, {})) {
      const fresh = page.filter((p) => changed(String(p.id), Number(p.update_time)));
      if (fresh.length) yield fresh;
    }
  }

  /** GET /api/v2/token/refresh on the auth host; the new pair is saved on the shop. */
  private async exchange(creds: Credentials): Promise<Credentials> {
    const res = await this.ctx.authHttp.text('/api/v2/token/refresh', {
      query: { app_key: this.app.appKey, app_secret: this.app.appSecret, refresh_token: creds.refreshToken, grant_type: 'refresh_token' }, signal: this.ctx.signal,
    }).catch((err: unknown) => {
      throw authFailure('tiktok', err);
    });
    const env = JSON.parse(res.text) as Envelope;
    const d = (env.data ?? {}) as { access_token?: string; refresh_token?: string; access_token_expire_in?: number };
    if (env.code !== 0 || !d.access_token || !d.refresh_token) throw new PlatformError('tiktok', 'token.refresh', 'non-retryable', String(env.code ?? ''), env.message ?? 'token refresh failed');
    return { accessToken: d.access_token, refreshToken: d.refresh_token, accessExpiresAt: d.access_token_expire_in ? new Date(d.access_token_expire_in * 1000).toISOString() : undefined };
  }
}
