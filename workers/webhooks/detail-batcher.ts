/**
 * Coalesces detail look-ups of ids never stored, per (platform, shop, entity), across the batches the consumer
 * handles at once (WEBHOOK_CONCURRENCY): an id waits at most WEBHOOK_DETAIL_WAIT_MS for 49 others, then one
 * platform call of at most 50 ids fetches them all. The same id asked for twice while queued or in flight is
 * fetched once. A failed call fails every waiter of it (their entries stay pending and are retried).
 */
import { DETAIL_BATCH_MAX, recordId, type DetailSource, type MarketEntity, type RawRecord, type ShopKey } from '../../plugins/market-records';

interface Waiting {
  shop: ShopKey;
  entity: MarketEntity;
  ids: Map<string, { resolve(r: RawRecord | undefined): void; reject(err: unknown): void; promise: Promise<RawRecord | undefined> }>;
  timer: NodeJS.Timeout | null;
}

export class DetailBatcher {
  private readonly open = new Map<string, Waiting>();
  /** Ids in a call under way, by group key. */
  private readonly inFlight = new Map<string, Map<string, Promise<RawRecord | undefined>>>();
  /**
   * Records fetched lately (group key + id), so a batch that found the id missing just before another batch
   * stored it reuses the answer instead of a second call. Bounded (oldest out) and short-lived.
   */
  private readonly recent = new Map<string, { at: number; record: RawRecord | undefined }>();
  /** Platform calls made (for figures and tests). */
  calls = 0;

  constructor(private readonly source: (shop: ShopKey) => DetailSource, private readonly waitMs: number, private readonly max = DETAIL_BATCH_MAX, private readonly recentMax = 20_000, private readonly recentMs = 60_000) {}

  private fromRecent(key: string, id: string): Promise<RawRecord | undefined> | undefined {
    const hit = this.recent.get(`${key}\u0000${id}`);
    if (!hit) return undefined;
    if (Date.now() - hit.at > this.recentMs) {
      this.recent.delete(`${key}\u0000${id}`);
      return undefined;
    }
    return Promise.resolve(hit.record);
  }

  private remember(key: string, id: string, record: RawRecord | undefined): void {
    this.recent.set(`${key}\u0000${id}`, { at: Date.now(), record });
    while (this.recent.size > this.recentMax) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The platform's records of these ids (undefined for an id it does not return). */
  async get(shop: ShopKey, entity: MarketEntity, ids: readonly string[]): Promise<Map<string, RawRecord | undefined>> {
    const key = `${shop.platform}\u0000${shop.shopId}\u0000${shop.channelId}\u0000${entity}`;
    const waits = ids.map((id) => [id, this.fromRecent(key, id) ?? this.inFlight.get(key)?.get(id) ?? this.queue(key, shop, entity, id)] as const);
    const out = new Map<string, RawRecord | undefined>();
    for (const [id, p] of waits) out.set(id, await p);
    return out;
  }

  private queue(key: string, shop: ShopKey, entity: MarketEntity, id: string): Promise<RawRecord | undefined> {
    let w = this.open.get(key);
    if (!w) this.open.set(key, (w = { shop, entity, ids: new Map(), timer: null }));
    const have = w.ids.get(id);
    if (have) return have.promise;
    let resolve!: (r: RawRecord | undefined) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<RawRecord | undefined>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // rejections are seen by the get() awaiting it
    w.ids.set(id, { resolve, reject, promise });
    if (w.ids.size >= this.max) this.flush(key);
    else if (!w.timer) w.timer = setTimeout(() => this.flush(key), this.waitMs);
    return promise;
  }

  private flush(key: string): void {
    const w = this.open.get(key);
    if (!w) return;
    this.open.delete(key);
    if (w.timer) clearTimeout(w.timer);
    const flying = this.inFlight.get(key) ?? new Map<string, Promise<RawRecord | undefined>>();
    this.inFlight.set(key, flying);
    for (const [id, d] of w.ids) flying.set(id, d.promise);
    this.calls++;
    const ids = [...w.ids.keys()];
    const settle = (fn: (id: string, d: Waiting['ids'] extends Map<string, infer D> ? D : never) => void) => {
      for (const [id, d] of w.ids) {
        fn(id, d);
        flying.delete(id);
      }
      if (!flying.size) this.inFlight.delete(key);
    };
    // Inside the promise chain: a missing source or a throwing fetch fails the waiters instead of the process.
    Promise.resolve().then(() => this.source(w.shop).fetch(w.shop, w.entity, ids)).then((records) => {
      const byId = new Map<string, RawRecord>();
      for (const r of records) {
        const id = recordId(w.shop.platform, w.entity, r);
        if (id !== undefined) byId.set(id, r);
      }
      settle((id, d) => {
        this.remember(key, id, byId.get(id));
        d.resolve(byId.get(id));
      });
    }, (err: unknown) => settle((_id, d) => d.reject(err)));
  }
}
