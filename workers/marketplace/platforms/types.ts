/** What the sync pipeline needs from a platform adapter. */
import type { TimeWindow } from '../../../plugins/date-range';

export type PlatformName = 'tiktok' | 'shopee' | 'lazada';
export const PLATFORMS: readonly PlatformName[] = ['tiktok', 'shopee', 'lazada'];

export type RawRecord = Record<string, unknown>;

/** A shop as an adapter sees it: ids and region, never where its credentials are stored. */
export interface ShopRef {
  /** Sluice's id of the shop (the store's key). */
  id: string;
  platform: PlatformName;
  /** The platform's shop / seller id. */
  shopId: string;
  channelId: string;
  region: string;
  timeZone: string;
  /** TikTok's shop_cipher. */
  shopCipher?: string;
}

export interface Credentials {
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires (refreshed ahead of it when known). */
  accessExpiresAt?: string;
}

/** Where an adapter reads the shop's current tokens and saves refreshed ones. */
export interface TokenStore {
  /** The current tokens (cached; a refresh by any process is picked up by `refresh`). */
  load(): Promise<Credentials>;
  /**
   * Replaces the token that just failed (`usedToken`): when another process already refreshed it, the new one is
   * simply loaded; otherwise `exchange` runs once cluster-wide (a lease on the shop) and its result is saved.
   * Resolves true when this call exchanged the token.
   */
  refresh(usedToken: string, exchange: (current: Credentials) => Promise<Credentials>): Promise<boolean>;
}

/** Outcome classes of a platform answer. */
export type ErrorKind = 'retryable' | 'rate-limited' | 'auth-expired' | 'non-retryable';

export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(readonly platform: PlatformName, readonly endpoint: string, readonly kind: ErrorKind, readonly code: string, message: string, readonly banMs?: number) {
    super(`${platform} ${endpoint}: ${code ? `${code} ` : ''}${message}`);
  }
}

export interface CallStats {
  calls: Record<string, number>;
  retries: number;
  rateLimited: number;
  refreshes: number;
  waitedMs: number;
}

export function newCallStats(): CallStats {
  return { calls: {}, retries: 0, rateLimited: 0, refreshes: 0, waitedMs: 0 };
}

export interface OrderStub {
  id: string;
  /** The listing's record (Lazada lists whole orders; their items come from the detail call). */
  summary: RawRecord;
}

/**
 * A platform adapter. Streams are async generators that yield one page at a time, so a chunk never holds more than
 * a page and a batch; `orderDetails` and friends take at most the platform's batch (50 ids).
 */
export interface PlatformAdapter {
  readonly platform: PlatformName;
  readonly stats: CallStats;
  /** Orders created in the window, one page at a time (ids plus whatever the listing carries). */
  orders(window: TimeWindow): AsyncGenerator<OrderStub[]>;
  /** Full orders for at most a few detail batches of stubs. */
  orderDetails(stubs: OrderStub[]): Promise<RawRecord[]>;
  /**
   * Full orders by id alone (webhook pushes of orders never stored), as `orderDetails` returns them: one detail call
   * per `detailBatch` ids (Lazada adds one /order/get per id: it has no multi-order header call). Ids the platform
   * does not know are left out.
   */
  ordersById(ids: readonly string[]): Promise<RawRecord[]>;
  /** Returns by id, where the platform can look them up so (TikTok: `return_ids`, 50 per call); ids it does not know are left out. */
  returnsById?(ids: readonly string[]): Promise<RawRecord[]>;
  /** Tracking of these orders (one record per order). */
  tracking(ids: string[]): Promise<RawRecord[]>;
  /** Money records tied to these orders (Shopee escrow); [] where money is listed by time only. */
  orderMoney(ids: string[]): Promise<RawRecord[]>;
  /** Money records (statement transactions, wallet or finance transactions) in the window. */
  transactions(window: TimeWindow): AsyncGenerator<RawRecord[]>;
  returns(window: TimeWindow): AsyncGenerator<RawRecord[]>;
  /** Every product; `changed(id, updateTime)` lets the adapter skip detail calls of unchanged ones. */
  products(changed: (id: string, updateTime: number) => boolean): AsyncGenerator<RawRecord[]>;
}
