/**
 * The machinery the three marketplace fakes share: a real HTTP server, routes by method and path template,
 * per-shop-and-API rate limits counted in clock-second windows (violations are counted, never forgiven), issued
 * tokens that can be expired, scripted faults, and per-endpoint request counts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ARRIVED_HEADER, startArrivalFront, type ArrivalFront } from './arrival-front';
import { generateShop, type ShopData, type ShopSpec } from './shop-data';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface FakeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeShop {
  data: ShopData;
  /** Extra id the platform addresses the shop by (TikTok shop_cipher). */
  cipher: string;
  accessToken: string;
  refreshToken: string;
  /** Access tokens issued before the current one (answered as expired). */
  expired: Set<string>;
  refreshes: number;
}

export type Fault =
  | { kind: 'rate-limit'; times: number; path?: string }
  | { kind: 'server-error'; times: number; status?: number; path?: string }
  | { kind: 'slow'; times: number; delayMs: number; path?: string }
  | { kind: 'fail'; times: number; code: string; message: string; path?: string };

export interface RouteContext {
  fake: FakeMarketplace;
  req: FakeRequest;
  shop: FakeShop;
  params: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Endpoints outside the shop-scoped limits (token refresh). */
  unscoped?: boolean;
  handle(ctx: RouteContext): FakeReply | Promise<FakeReply>;
}

export interface Platform {
  name: 'tiktok' | 'shopee' | 'lazada';
  /** Path prefix the gateway serves under (Lazada: /rest). */
  prefix: string;
  routes: Route[];
  /** Checks signature, timestamp and token; answers the platform's error when one is bad. */
  authenticate(req: FakeRequest, fake: FakeMarketplace, route: Route): { shop: FakeShop } | { reply: FakeReply };
  rateLimitReply(fake: FakeMarketplace, req: FakeRequest): FakeReply;
  serverErrorReply(status: number): FakeReply;
  failReply(code: string, message: string): FakeReply;
}

export interface FakeOptions {
  shops: ShopSpec[];
  /** Requests per second per shop and API. @defaultValue the platform's documented limit */
  limitPerSec?: number;
  /** Ban after a rate-limited request (Lazada: "ban will last 1 seconds"). @defaultValue 0 */
  banMs?: number;
  /** Allowed timestamp skew into the past / future, seconds. */
  maxPastSec?: number;
  maxFutureSec?: number;
  /**
   * Count each request when it reaches a front on its own thread (arrival-front.ts) rather than when this fake's
   * event loop reads it: for a fake in the same process as a busy worker (the tests). @defaultValue false
   */
  arrivalFront?: boolean;
}

export interface EndpointStats {
  requests: number;
  violations: number;
  scriptedFaults: number;
  authFailures: number;
}

function compile(template: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const re = new RegExp(`^${template.replace(/:([a-z_]+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  return { re, names };
}

export class FakeMarketplace {
  readonly shops = new Map<string, FakeShop>();
  readonly stats = new Map<string, EndpointStats>();
  readonly faults: Fault[] = [];
  private server!: http.Server;
  private front?: ArrivalFront;
  private readonly compiled: Array<{ route: Route; re: RegExp; names: string[] }>;
  private readonly windows = new Map<string, { window: number; count: number }>();
  /** Requests counted in each past clock-second window, by shop and API (what the limit saw). */
  readonly windowHistory = new Map<string, Array<{ window: number; count: number }>>();
  private readonly bans = new Map<string, number>();
  /** Authenticated requests by shop id and route path (`<shopId> <path>`). */
  private readonly perShop = new Map<string, number>();
  url = '';
  /** Largest offset an offset-paged listing accepts (Lazada /orders/get). */
  maxOffset = Number.MAX_SAFE_INTEGER;

  constructor(readonly platform: Platform, readonly opts: Required<Pick<FakeOptions, 'limitPerSec' | 'banMs' | 'maxPastSec' | 'maxFutureSec'>> & FakeOptions) {
    this.compiled = platform.routes.map((route) => ({ route, ...compile(platform.prefix + route.path) }));
    for (const spec of opts.shops) this.addShop(spec);
  }

  addShop(spec: ShopSpec): FakeShop {
    const shop: FakeShop = { data: generateShop(spec), cipher: `ROW_${randomBytes(6).toString('hex')}`, accessToken: this.newToken('at'), refreshToken: this.newToken('rt'), expired: new Set(), refreshes: 0 };
    this.shops.set(spec.shopId, shop);
    return shop;
  }

  shop(shopId: string): FakeShop {
    const s = this.shops.get(shopId);
    if (!s) throw new Error(`fake ${this.platform.name} has no shop ${shopId}`);
    return s;
  }

  newToken(kind: string): string {
    return `${this.platform.name}-${kind}-${randomBytes(12).toString('hex')}`;
  }

  /** The shop's current access token stops working (as when it outlived its expiry). */
  expireToken(shopId: string): void {
    const s = this.shop(shopId);
    s.expired.add(s.accessToken);
    s.accessToken = this.newToken('at-unissued');
  }

  /** Issues a fresh pair for a valid refresh token; undefined for an unknown one. */
  refresh(refreshToken: string): FakeShop | undefined {
    for (const s of this.shops.values()) {
      if (s.refreshToken !== refreshToken) continue;
      s.expired.add(s.accessToken);
      s.accessToken = this.newToken('at');
      s.refreshToken = this.newToken('rt');
      s.refreshes++;
      return s;
    }
    return undefined;
  }

  byToken(token: string): { shop?: FakeShop; expired: boolean } {
    for (const s of this.shops.values()) {
      if (s.accessToken === token) return { shop: s, expired: false };
      if (s.expired.has(token)) return { shop: s, expired: true };
    }
    return { expired: false };
  }

  script(fault: Fault): void {
    this.faults.push(fault);
  }

  totalViolations(): number {
    return [...this.stats.values()].reduce((n, s) => n + s.violations, 0);
  }

  /** Every clock-second window of an API (path suffix) with the requests it counted, the current one included. */
  windowsOf(path: string): Array<{ window: number; count: number }> {
    const out: Array<{ window: number; count: number }> = [];
    for (const [key, list] of this.windowHistory) if (key.endsWith(path)) out.push(...list);
    for (const [key, w] of this.windows) if (key.endsWith(path)) out.push(w);
    return out.sort((a, b) => a.window - b.window);
  }

  requests(path?: string): number {
    return [...this.stats.entries()].filter(([k]) => !path || k.endsWith(path)).reduce((n, [, s]) => n + s.requests, 0);
  }

  /** Authenticated requests one shop made to a route (its path template, e.g. `/order/202309/orders`). */
  shopRequests(shopId: string, path: string): number {
    return this.perShop.get(`${shopId} ${path}`) ?? 0;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const own = (this.server.address() as AddressInfo).port;
    this.front = this.opts.arrivalFront ? await startArrivalFront(own) : undefined;
    this.url = this.front?.url ?? `http://127.0.0.1:${own}`;
    return this.url;
  }

  async close(): Promise<void> {
    await this.front?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private statsOf(key: string): EndpointStats {
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { requests: 0, violations: 0, scriptedFaults: 0, authFailures: 0 }));
    return s;
  }

  /** Counts the request in its clock-second window; true when it went over the limit (or came during a ban). */
  private overLimit(key: string, now: number): boolean {
    const window = Math.floor(now / 1000);
    const w = this.windows.get(key);
    if (!w || w.window !== window) {
      if (w) {
        const past = this.windowHistory.get(key);
        if (past) past.push(w);
        else this.windowHistory.set(key, [w]);
      }
      this.windows.set(key, { window, count: 1 });
    } else w.count++;
    const banned = (this.bans.get(key) ?? 0) > now;
    const over = (this.windows.get(key)!.count > this.opts.limitPerSec) || banned;
    if (over && this.opts.banMs > 0 && !banned) this.bans.set(key, now + this.opts.banMs);
    return over;
  }

  private takeFault(path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.path || path.includes(f.path));
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (--f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async route(req: FakeRequest): Promise<FakeReply> {
    const match = this.compiled.find((c) => c.route.method === req.method && c.re.test(req.path));
    if (!match) return { status: 404, body: { message: `no such API: ${req.method} ${req.path}` } };
    const stats = this.statsOf(match.route.path);
    stats.requests++;
    const auth = this.platform.authenticate(req, this, match.route);
    if ('reply' in auth) {
      stats.authFailures++;
      return auth.reply;
    }
    const shopKey = `${auth.shop.data.spec.shopId} ${match.route.path}`;
    this.perShop.set(shopKey, (this.perShop.get(shopKey) ?? 0) + 1);
    if (!match.route.unscoped && this.overLimit(`${auth.shop.data.spec.shopId}:${match.route.path}`, req.receivedAt)) {
      stats.violations++;
      return this.platform.rateLimitReply(this, req);
    }
    const fault = this.takeFault(req.path);
    if (fault) {
      if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
      else stats.scriptedFaults++;
      if (fault.kind === 'rate-limit') return this.platform.rateLimitReply(this, req);
      if (fault.kind === 'server-error') return this.platform.serverErrorReply(fault.status ?? 503);
      if (fault.kind === 'fail') return this.platform.failReply(fault.code, fault.message);
    }
    const m = match.re.exec(req.path)!;
    const params = Object.fromEntries(match.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    return match.route.handle({ fake: this, req, shop: auth.shop, params });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The platform counts a request when it arrives, not when its body has been read (nor, behind the front, when
    // this process got round to it). Only the front's stamp is trusted: clients reach this server through it.
    const receivedAt = (this.front && Number(req.headers[ARRIVED_HEADER])) || Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Record<string, unknown> = {};
    try {
      if (rawBody) body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      body = {};
    }
    const fr: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body, receivedAt };
    let reply: FakeReply;
    try {
      reply = await this.route(fr);
    } catch (err) {
      reply = { status: 500, body: { message: `fake crashed: ${(err as Error).stack}` } };
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }
}

/** Query or body value as a number (NaN when absent). */
export function num(req: FakeRequest, name: string): number {
  const v = req.query.get(name) ?? (req.body[name] as string | number | undefined);
  return v === undefined || v === null || v === '' ? NaN : Number(v);
}

/** An opaque page token for an offset. */
export function pageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function offsetOf(token: string | null | undefined): number {
  if (!token) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : -1;
}
