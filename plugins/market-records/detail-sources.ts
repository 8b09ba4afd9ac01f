/**
 * Where the webhook consumer gets full records of ids it has never stored: one `DetailSource` per platform,
 * registered in the worker process by whoever owns the platform adapters (the marketplace plugin's
 * `onWorkerBoot`, or a test). A consumer that finds none fails those entries (they are retried, then
 * dead-lettered with this message) rather than storing a half record.
 */
import type { MarketEntity, MarketPlatform, ShopKey } from './entities';
import type { RawRecord } from './records';

/** The platforms take at most 50 ids per detail call. */
export const DETAIL_BATCH_MAX = 50;

export interface DetailSource {
  /** Full records of at most DETAIL_BATCH_MAX ids of one shop, in one platform call; ids the platform does not know are left out. */
  fetch(shop: ShopKey, entity: MarketEntity, ids: readonly string[], signal?: AbortSignal): Promise<RawRecord[]>;
}

/**
 * Thrown by a source for records no later try can fetch (the platform has no look-up for them): the webhook
 * consumer dead-letters such pushes at once instead of retrying them `maxDeliveries` times.
 */
export class UnfetchableError extends Error {
  override name = 'DetailSourceError';
  readonly permanent = true;
}

/** Whether an error says no retry can help (an UnfetchableError, also across module copies). */
export function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

const sources = new Map<MarketPlatform, DetailSource>();

export function registerDetailSource(platform: MarketPlatform, source: DetailSource): void {
  sources.set(platform, source);
}

/** Removes the platform's source (only `source`, when given: another registration since is kept). */
export function unregisterDetailSource(platform: MarketPlatform, source?: DetailSource): void {
  if (!source || sources.get(platform) === source) sources.delete(platform);
}

export function detailSource(platform: MarketPlatform): DetailSource {
  const s = sources.get(platform);
  if (!s) throw new Error(`no detail source registered for ${platform}: the marketplace plugin registers one in the worker process (registerDetailSource)`);
  return s;
}
