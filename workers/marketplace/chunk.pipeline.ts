/**
 * One chunk of a sync: products (on the shop's first chunk only, upserting only changed ones), then orders page
 * by page — details in 50s beside their tracking and order money — and the window's transactions and returns. Every
 * stream is an async generator, so memory holds one page plus one batch per entity, whatever the range.
 */
import type { Db } from 'mongodb';
import type { RunLogger } from '../../app';
import type { TimeWindow } from '../../plugins/date-range';
import { COLLECTIONS, epochSeconds, type Entity } from '../../plugins/marketplace-dto';
import type { RunSummaries, SyncBuffer } from '../../plugins/sync-buffer';
import { persistBatch, type BatchMeta, type BatchTarget } from './persist';
import type { PlatformAdapter, RawRecord, ShopRef } from './platforms/types';
import { emptyCounts, type ChunkReport, type Counts } from './sync-log';

export interface ChunkInput {
  shop: ShopRef;
  window: TimeWindow;
  days: string[];
  first: boolean;
  syncId: string;
  chunkId: string;
}

export interface PipelineDeps {
  db: Db;
  buffer: SyncBuffer<BatchMeta>;
  adapter: PlatformAdapter;
  /** Records per bulk upsert (SYNC_BATCH_SIZE). */
  batchSize: number;
  log: RunLogger;
  /**
   * The sync's summary beside the buffer (on disk, so it holds while MongoDB is down and survives a killed
   * process): each buffered batch is counted there at once, not only when the chunk finishes.
   */
  summaries?: RunSummaries;
}

/** Collects one entity's records and writes them a batch at a time. */
class EntityBatch {
  private items: RawRecord[] = [];
  private detailsAt?: string;

  constructor(private readonly run: ChunkRun, readonly entity: Entity) {}

  async add(records: RawRecord[], detailsAt?: string): Promise<void> {
    this.items.push(...records);
    this.detailsAt = detailsAt ?? this.detailsAt;
    while (this.items.length >= this.run.deps.batchSize) await this.write(this.items.splice(0, this.run.deps.batchSize));
  }

  async flush(): Promise<void> {
    if (this.items.length) await this.write(this.items.splice(0));
  }

  private async write(records: RawRecord[]): Promise<void> {
    const res = await persistBatch(this.run.deps.db, this.run.deps.buffer, this.entity, records, this.run.target, this.run.counts[this.entity], { skipUnchanged: true, detailsFetchedAt: this.detailsAt });
    if (res.buffered) {
      this.run.bufferedBatches++;
      const t = this.run.target;
      this.run.deps.log.warn(`marketplace: MongoDB write of ${records.length} ${this.entity} failed; batch saved to the sync buffer`, { shop: t.shop_id, chunk: t.chunk_id });
      await this.run.deps.summaries?.merge(t.sync_id, { counters: { saved: 1 }, lists: { buffered_days: t.days } }).catch((err: unknown) => {
        this.run.deps.log.error(`marketplace: buffered batch not counted in the sync summary: ${(err as Error).message}`, { chunk: t.chunk_id });
      });
    }
    for (const e of res.errors.slice(0, 5)) this.run.deps.log.warn(`marketplace: document rejected: ${e}`, { chunk: this.run.target.chunk_id });
  }
}

class ChunkRun {
  readonly counts: Counts = emptyCounts();
  bufferedBatches = 0;
  readonly target: BatchTarget;

  constructor(readonly deps: PipelineDeps, readonly input: ChunkInput) {
    const s = input.shop;
    this.target = { platform: s.platform, shop_id: s.shopId, channel_id: s.channelId, region: s.region, sync_id: input.syncId, chunk_id: input.chunkId, days: input.days };
  }

  /** A batch whose unchanged records (same update time, or same source fingerprint) are counted, not rewritten. */
  batch(entity: Entity): EntityBatch {
    return new EntityBatch(this, entity);
  }

  /** Products: only id + update time are read from MongoDB; unchanged products are neither fetched in detail nor written. */
  async products(): Promise<void> {
    const known = new Map<string, number>();
    const cursor = this.deps.db.collection(COLLECTIONS.products).find({ shop_id: this.target.shop_id, channel_id: this.target.channel_id }, { projection: { _id: 0, product_id: 1, update_epoch: 1 } });
    for await (const p of cursor) known.set(String(p.product_id), Number(p.update_epoch));
    let seen = 0;
    const batch = this.batch('products');
    for await (const page of this.deps.adapter.products((id, t) => (seen++, known.get(id) !== epochSeconds(t)))) await batch.add(page);
    await batch.flush();
    this.counts.products.unchanged += seen - this.counts.products.fetched;
  }

  /**
   * Orders page by page, keeping the limiter busy: the next page is requested while this one is processed; a
   * page's details, tracking and order money (separate APIs with separate limits, each needing only the page's ids)
   * go out together, so the per-order API that bounds a sync never waits for a page's detail calls; and a page's
   * documents are written while the next page is fetched (one write per entity in flight). Memory: two pages, plus
   * one batch being written and one filling per entity.
   */
  async orders(): Promise<void> {
    const orders = this.batch('orders');
    const tracking = this.batch('order_tracking');
    const money = this.batch('transactions');
    const a = this.deps.adapter;
    const pages = a.orders(this.input.window);
    let next = pages.next();
    let writing: Promise<unknown> = Promise.resolve();
    for (;;) {
      const page = await next;
      if (page.done) break;
      next = pages.next();
      next.catch(() => undefined); // awaited above on the next turn; not unhandled while this page is processed
      const stubs = page.value;
      const ids = stubs.map((s) => s.id);
      const [details, t, m] = await allOrFirstError([a.orderDetails(stubs).then((d) => ({ d, at: new Date().toISOString() })), a.tracking(ids), a.orderMoney(ids)]);
      await writing;
      writing = Promise.all([orders.add(details.d, details.at), tracking.add(t), money.add(m)]);
      // Awaited at the next page or the end; a failure meanwhile must not count as unhandled.
      writing.catch(() => undefined);
    }
    await writing;
    await Promise.all([orders.flush(), tracking.flush(), money.flush()]);
  }

  async stream(entity: 'transactions' | 'returns', source: AsyncGenerator<RawRecord[]>): Promise<void> {
    const batch = this.batch(entity);
    for await (const page of source) await batch.add(page);
    await batch.flush();
  }
}

/**
 * Waits for every call group, then fails with the first error: a page's groups keep no call running after its
 * chunk has been reported failed.
 */
async function allOrFirstError<T extends readonly unknown[]>(parts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((p) => (p as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A chunk that stopped on an error, with what it had done by then (written batches stay written). */
export class ChunkFailure extends Error {
  override name = 'ChunkFailure';
  constructor(override readonly cause: unknown, readonly report: ChunkReport) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export async function runChunkPipeline(deps: PipelineDeps, input: ChunkInput): Promise<ChunkReport> {
  const run = new ChunkRun(deps, input);
  const report = (): ChunkReport => ({ counts: run.counts, stats: deps.adapter.stats, bufferedBatches: run.bufferedBatches, days: input.days });
  // The entities use different APIs (each with its own limit): they are fetched side by side.
  const parts = await Promise.allSettled([
    input.first ? run.products() : Promise.resolve(),
    run.orders(),
    run.stream('transactions', deps.adapter.transactions(input.window)),
    run.stream('returns', deps.adapter.returns(input.window)),
  ]);
  const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw new ChunkFailure(failed.reason, report());
  return report();
}
