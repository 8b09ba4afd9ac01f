/** What every adapter is built from: the shop, its token store, the shared limiter and HTTP settings. */
import type { HttpClient } from '../../../plugins/http';
import type { SharedRateLimiter } from '../../../plugins/rate-limit';
import type { ShopRef, TokenStore, CallStats } from './types';

export interface AdapterContext {
  shop: ShopRef;
  tokens: TokenStore;
  limiter: SharedRateLimiter;
  /** A client of the platform's API host (attempts: 1 — the caller retries with envelope knowledge). */
  http: HttpClient;
  /** A client of the platform's auth host (token refresh). */
  authHttp: HttpClient;
  stats: CallStats;
  retry: { attempts: number; backoffMs: number; maxBackoffMs: number };
  /** Ids per detail call. @defaultValue 50 */
  detailBatch: number;
  signal?: AbortSignal;
}

/**
 * Per-order calls (tracking, escrow) in flight at once for one chunk. Enough that a window's budget goes out in a
 * couple of round trips even when a chunk runs alone; not more, because every lane beyond the budget only asks
 * Redis for a slot at each window's start to be told to wait, a herd that delays the requests that did get one.
 */
export function perOrderLanes(rateLimit: number): number {
  return Math.max(1, Math.min(16, Math.floor(rateLimit)));
}

/** Splits ids into groups of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}
