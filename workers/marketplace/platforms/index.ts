/** Builds the adapter of a shop's platform from the plugin settings; one keep-alive HTTP pool per host per process. */
import { Agent } from 'undici';
import type { ConfigReader } from '../../../app';
import { HttpClient } from '../../../plugins/http';
import type { SharedRateLimiter } from '../../../plugins/rate-limit';
import { positiveInt, syncSettings } from '../settings';
import type { AdapterContext } from './adapter-context';
import { LAZADA_GATEWAYS, LazadaAdapter } from './lazada/lazada.adapter';
import { ShopeeAdapter } from './shopee/shopee.adapter';
import { TiktokAdapter } from './tiktok/tiktok.adapter';
import { newCallStats, type PlatformAdapter, type PlatformName, type ShopRef, type TokenStore } from './types';

export * from './types';
export { signTiktok } from './tiktok/sign';
export { signShopee } from './shopee/sign';
export { signLazada } from './lazada/sign';

const agents = new Map<string, Agent>();

function client(baseUrl: string, timeoutMs: number): HttpClient {
  const origin = new URL(baseUrl).origin;
  let agent = agents.get(origin);
  if (!agent) agents.set(origin, (agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 })));
  // Enough connections that a request never waits in the pool after it took its rate-limit slot (it would reach
  // the platform late, in the next window). attempts 1: PlatformCaller retries, knowing each platform's envelope and ban windows.
  return new HttpClient({ baseUrl: origin, timeoutMs, attempts: 1, nonRetryableStatuses: [], dispatcher: agent });
}

/** Closes the HTTP pools (worker shutdown). */
export async function closePlatformClients(): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close()));
  agents.clear();
}

function required(config: ConfigReader, key: string): string {
  const v = config.get<string | number>(key);
  if (v === '' || v === 0 || v === undefined || v === null) throw new Error(`Setting ${key} is not set: the ${key.split('_')[0].toLowerCase()} adapter cannot sign calls without it`);
  return String(v);
}

/** Requests/s per API per shop for a platform (the fakes and the limiter read the same settings). */
export function platformRateLimit(config: ConfigReader, platform: PlatformName): number {
  return positiveInt(config, `${platform.toUpperCase()}_RATE_LIMIT`);
}

export interface AdapterDeps {
  config: ConfigReader;
  shop: ShopRef;
  tokens: TokenStore;
  limiter: SharedRateLimiter;
  signal?: AbortSignal;
}

export function createAdapter({ config, shop, tokens, limiter, signal }: AdapterDeps): PlatformAdapter {
  const s = syncSettings(config);
  const base = { shop, tokens, limiter, stats: newCallStats(), retry: { attempts: s.http.attempts, backoffMs: s.http.backoffMs, maxBackoffMs: s.http.maxBackoffMs }, detailBatch: s.detailBatch, signal };
  const t = s.http.timeoutMs;
  if (shop.platform === 'tiktok') {
    const ctx: AdapterContext = { ...base, http: client(String(config.get('TIKTOK_API_URL')), t), authHttp: client(String(config.get('TIKTOK_AUTH_URL')), t) };
    return new TiktokAdapter(ctx, { appKey: required(config, 'TIKTOK_APP_KEY'), appSecret: required(config, 'TIKTOK_APP_SECRET'), rateLimit: platformRateLimit(config, 'tiktok') });
  }
  if (shop.platform === 'shopee') {
    const url = String(config.get('SHOPEE_API_URL'));
    return new ShopeeAdapter({ ...base, http: client(url, t), authHttp: client(url, t) }, {
      partnerId: Number(required(config, 'SHOPEE_PARTNER_ID')), partnerKey: required(config, 'SHOPEE_PARTNER_KEY'),
      rateLimit: platformRateLimit(config, 'shopee'), maxWindowDays: positiveInt(config, 'SHOPEE_MAX_WINDOW_DAYS', 15),
    });
  }
  if (shop.platform === 'lazada') {
    const gateway = String(config.get('LAZADA_API_URL')) || LAZADA_GATEWAYS[shop.region.toUpperCase()];
    if (!gateway) throw new Error(`no Lazada gateway for region ${shop.region} (set LAZADA_API_URL)`);
    const auth = String(config.get('LAZADA_AUTH_URL'));
    return new LazadaAdapter({ ...base, http: client(gateway, t), authHttp: client(auth, t) }, {
      appKey: required(config, 'LAZADA_APP_KEY'), appSecret: required(config, 'LAZADA_APP_SECRET'), rateLimit: platformRateLimit(config, 'lazada'),
      banMs: positiveInt(config, 'LAZADA_BAN_MS'), maxOffset: positiveInt(config, 'LAZADA_MAX_OFFSET'),
      apiPrefix: new URL(gateway).pathname.replace(/\/$/, ''), authPrefix: new URL(auth).pathname.replace(/\/$/, ''),
    });
  }
  throw new Error(`unknown platform '${String(shop.platform)}'`);
}
