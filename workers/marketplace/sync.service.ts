/**
 * The marketplace sync: plans a sync into chunk jobs, runs one chunk (loading the shop's credentials itself —
 * jobs carry only the chunk id), records the outcome, and closes the sync once its last chunk finished, after
 * replaying the sync buffer.
 */
import { setMaxListeners } from 'node:events';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { NonRetryableError, type BulkJob, type ConfigReader, type RunLogger } from '../../app';
import { addDays, daysIn, dayOf, splitDateRange } from '../../plugins/date-range';
import { SharedRateLimiter } from '../../plugins/rate-limit';
import { RunSummaries, SyncBuffer, type ReplayOptions } from '../../plugins/sync-buffer';
import type { Entity } from '../../plugins/marketplace-dto';
import { ChunkFailure, runChunkPipeline } from './chunk.pipeline';
import { replayBatch, type BatchMeta } from './persist';
import { createAdapter, platformRateLimit } from './platforms';
import { newCallStats, type PlatformName } from './platforms/types';
import { syncSettings } from './settings';
import { ShopsStore } from './shops.store';
import { emptyCounts, SyncLog, type ChunkDoc, type ChunkReport, type ChunkStatus, type SyncDoc } from './sync-log';

export const CHUNK_WORKER = 'marketplace-chunk';
export const SYNC_WORKER = 'marketplace-sync';

export interface SyncRequest {
  syncId: string;
  platform?: PlatformName;
  shopIds?: string[];
  from: string;
  to: string;
}

export interface ServiceDeps {
  db: Db;
  /** A Redis client of the deployment (the shared limiter's counters). */
  redis: Redis;
  config: ConfigReader;
  log: RunLogger;
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
}

export type ChunkJob = BulkJob<{ chunkId: string }>;

export class MarketplaceSync {
  readonly shops: ShopsStore;
  readonly syncLog: SyncLog;
  readonly buffer: SyncBuffer<BatchMeta>;
  /** Per-sync buffer counters on disk beside the buffer: saved, replayed, quarantined, buffered days. */
  readonly summaries: RunSummaries;
  readonly limiter: SharedRateLimiter;

  constructor(readonly deps: ServiceDeps) {
    const s = syncSettings(deps.config);
    this.shops = new ShopsStore(deps.db, s.timeZone);
    this.syncLog = new SyncLog(deps.db);
    this.buffer = new SyncBuffer<BatchMeta>({ dir: s.bufferDir, maxRetries: s.bufferMaxRetries });
    this.summaries = new RunSummaries(s.bufferDir);
    // The same keys whether the client is the plugin's (prefixed `<REDIS_PREFIX>plugin:marketplace:`) or a run's.
    const keyPrefix = deps.redis.options.keyPrefix ? 'rl' : `${String(deps.config.get('REDIS_PREFIX') ?? '')}plugin:marketplace:rl`;
    this.limiter = new SharedRateLimiter({
      redis: deps.redis, keyPrefix, headroom: s.headroom, edgeMs: s.edgeMs, adaptiveEdge: true, pace: true,
      // Keys are `<platform>:<shop>:<endpoint>`: one shop's APIs are served by its platform's host.
      hostOf: (key) => key.slice(0, key.lastIndexOf(':')),
      limitOf: (key) => ({ points: platformRateLimit(deps.config, key.slice(0, key.indexOf(':')) as PlatformName) }),
    });
  }

  /** Splits every covered shop's range into chunks; resolves to the chunk jobs (deterministic ids, paced delays). */
  async plan(req: SyncRequest): Promise<ChunkJob[]> {
    const s = syncSettings(this.deps.config);
    const shops = await this.shops.refs({ platform: req.platform, ids: req.shopIds });
    type Planned = { shop: string; platform: PlatformName; from: string; to: string; first: boolean };
    const perShop: Planned[][] = shops.map((shop) => splitDateRange(req.from, req.to, { chunkDays: s.chunkDays, timeZone: shop.timeZone })
      .map((c, i) => ({ shop: shop.id, platform: shop.platform, from: c.from, to: c.to, first: i === 0 })));
    // Round robin over the shops: each shop has its own rate limits, so the chunk slots go to many shops at once
    // rather than to every chunk of the first shop, whose limit they would only share.
    const planned: Planned[] = [];
    const longest = perShop.reduce((n, l) => Math.max(n, l.length), 0);
    for (let i = 0; i < longest; i++) for (const list of perShop) if (i < list.length) planned.push(list[i]);
    const ids = await this.syncLog.planChunks(req.syncId, planned);
    const seq = new Map<PlatformName, number>();
    return planned.map((c, i) => {
      // Chunk starts are spaced by the platform's request interval: a thousand chunks do not open at once.
      const k = seq.get(c.platform) ?? 0;
      seq.set(c.platform, k + 1);
      return { params: { chunkId: ids[i] }, jobId: `mkt-chunk:${ids[i]}`, delayMs: Math.round((k * 1000) / platformRateLimit(this.deps.config, c.platform)) };
    });
  }

  /**
   * Runs one chunk; failures are recorded on the chunk (with the platform's message) and rethrown. Resolves to
   * `{ alreadyFinished }` without running when the chunk had finished (its job was delivered again).
   */
  async runChunk(chunkId: string, signal?: AbortSignal): Promise<ChunkReport | { alreadyFinished: ChunkStatus }> {
    // Every call waiting on the limiter or a backoff listens for the abort: a chunk has a window's budget of them.
    if (signal) setMaxListeners(1_000, signal);
    const start = await this.syncLog.startChunk(chunkId);
    if (!start) throw new NonRetryableError(`chunk ${chunkId} does not exist (its sync was deleted?)`);
    if ('finished' in start) {
      this.deps.log.warn(`marketplace: chunk ${chunkId} had already ${start.finished.status}; this delivery of its job does nothing`, { chunk: chunkId });
      return { alreadyFinished: start.finished.status };
    }
    const chunk = start.started;
    const shop = await this.shops.ref(chunk.shop);
    let report: ChunkReport = { counts: emptyCounts(), stats: newCallStats(), bufferedBatches: 0, days: daysIn(chunk.from, chunk.to) };
    let error: string | null = null;
    try {
      if (!shop) throw new Error(`shop ${chunk.shop} is no longer in the store`);
      const [range] = splitDateRange(chunk.from, chunk.to, { chunkDays: daysIn(chunk.from, chunk.to).length, timeZone: shop.timeZone });
      const adapter = createAdapter({ config: this.deps.config, shop, tokens: this.shops.tokens(shop.id), limiter: this.limiter, signal });
      report = await runChunkPipeline({ db: this.deps.db, buffer: this.buffer, adapter, batchSize: syncSettings(this.deps.config).batchSize, log: this.deps.log, summaries: this.summaries }, {
        shop, window: { startMs: range.startMs, endMs: range.endMs }, days: report.days, first: chunk.first, syncId: chunk.sync_id, chunkId,
      });
    } catch (err) {
      if (err instanceof ChunkFailure) report = err.report;
      error = err instanceof Error ? err.message : String(err);
      await this.afterChunk(chunk, await this.syncLog.finishChunk(chunk, 'failed', report, error));
      throw err instanceof ChunkFailure ? err.cause : err;
    }
    await this.afterChunk(chunk, await this.syncLog.finishChunk(chunk, 'succeeded', report, null));
    return report;
  }

  private async afterChunk(chunk: ChunkDoc, sync: SyncDoc | null | 'superseded'): Promise<void> {
    if (sync === 'superseded') {
      this.deps.log.warn(`marketplace: another run of chunk ${chunk._id} finished first; this run's outcome and counts are not added to the sync`, { chunk: chunk._id });
      return;
    }
    if (!sync) return;
    const done = sync.chunks_succeeded + sync.chunks_failed;
    this.deps.publish('sync.progress', { syncId: sync._id, status: sync.status, chunksTotal: sync.chunks_total, chunksSucceeded: sync.chunks_succeeded, chunksFailed: sync.chunks_failed, orders: sync.counts.orders.fetched });
    if (done === sync.chunks_total && sync.status === 'running') await this.finish(sync._id);
  }

  /** Replays the sync's buffered batches, then closes it. */
  async finish(syncId: string): Promise<SyncDoc | null> {
    // Batches another process is replaying now are waited for, so the status below does not count them pending.
    await this.replay((b) => b.meta.sync_id === syncId, { waitForOthers: true });
    const sync = await this.syncLog.getSync(syncId);
    if (!sync) return null;
    const status = sync.chunks_failed > 0 || sync.buffer.quarantined > 0 || sync.buffer.pending > 0 ? 'completed_with_errors' : 'completed';
    const closed = await this.syncLog.close(syncId, status);
    if (closed) this.deps.publish('sync.progress', { syncId, status: closed.status, chunksTotal: closed.chunks_total, chunksSucceeded: closed.chunks_succeeded, chunksFailed: closed.chunks_failed, orders: closed.counts.orders.fetched });
    return closed;
  }

  /**
   * Replays pending buffered batches (all of them at worker boot) and adds their counts to their syncs. The
   * sync's buffer figures also take the on-disk summary's (`$max`): a batch buffered by a chunk whose process was
   * killed before the chunk could report it still counts as saved.
   */
  async replay(filter?: (b: { meta: BatchMeta }) => boolean, options: ReplayOptions = {}): Promise<{ applied: number; quarantined: number; failed: number }> {
    // Per sync: the replayed counts, and the days of its buffered batches (their problem days, known from the
    // batches themselves even when their chunk never reported).
    const perSync = new Map<string, { counts: Partial<Record<Entity, ReturnType<typeof emptyCounts>[Entity]>>; days: Set<string> }>();
    const entryOf = (syncId: string, days: unknown) => {
      const entry = perSync.get(syncId) ?? { counts: {}, days: new Set<string>() };
      for (const d of Array.isArray(days) ? days : []) entry.days.add(String(d));
      perSync.set(syncId, entry);
      return entry;
    };
    const report = await this.buffer.replay(async (batch) => {
      const entry = entryOf(batch.meta.sync_id, batch.meta.days);
      const counts = (entry.counts[batch.meta.entity] ??= emptyCounts()[batch.meta.entity]);
      await replayBatch(this.deps.db, batch, counts);
      await this.countInSummary(batch.meta.sync_id, 'replayed');
    }, filter, options);
    for (const q of report.quarantined) {
      this.deps.log.error(`marketplace: buffered ${q.collection} batch ${q.id} failed ${q.retries} replays and was moved to quarantine: ${q.error}`, { file: q.file, sync: q.meta.sync_id });
      entryOf(String(q.meta.sync_id), q.meta.days);
      await this.countInSummary(String(q.meta.sync_id), 'quarantined');
    }
    // Each sync's tally (its summary, then its batches still pending) is read and written under one lock: two
    // processes replaying at once take turns, so the last tally written is taken after the last batch left the
    // buffer, and a stale count of pending batches never overwrites a newer one.
    const syncOf = new Map<string, string | null>(); // pending batch id → its sync (a batch's sync never changes)
    for (const [syncId, e] of perSync) {
      await this.buffer.exclusive(`tally-${syncId}`, async () => {
        // The summary is read before the pending files: a batch replayed in between by a process not yet at its
        // tally then counts in neither (that process's tally puts it right), never in both.
        const summary = await this.summaries.read(syncId);
        const ids = await this.buffer.pending();
        await Promise.all(ids.filter((id) => !syncOf.has(id)).map(async (id) => {
          const b = await this.buffer.read(id);
          syncOf.set(id, b ? String(b.meta.sync_id) : null);
        }));
        const left = ids.filter((id) => syncOf.get(id) === syncId).length;
        await this.syncLog.addReplay(syncId, e.counts, left, summary, [...e.days]);
        await this.syncLog.reconsider(syncId);
      });
    }
    return { applied: report.applied, quarantined: report.quarantined.length, failed: report.failed };
  }

  /** A batch applied after MongoDB took it: the write happened, so a summary failure is logged, not thrown. */
  private async countInSummary(syncId: string, counter: 'replayed' | 'quarantined'): Promise<void> {
    await this.summaries.merge(syncId, { counters: { [counter]: 1 } }).catch((err: unknown) => {
      this.deps.log.error(`marketplace: ${counter} batch not counted in the summary of sync ${syncId}: ${(err as Error).message}`);
    });
  }

  /** Today (and the days before it, SYNC_RESYNC_DAYS in all) in the default timezone. */
  resyncRange(now = Date.now()): { from: string; to: string } {
    const s = syncSettings(this.deps.config);
    const to = dayOf(now, s.timeZone);
    return { from: addDays(to, -(s.resyncDays - 1)), to };
  }
}
