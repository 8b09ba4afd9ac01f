/**
 * The sync log (MongoDB): one document per sync and one per chunk, with fetched/inserted/updated/unchanged/
 * invalid counts per entity, API calls per endpoint, retries, 429s, durations and problem days. Chunk outcomes are
 * added to their sync with `$inc`, so chunks finishing in several processes at once add up.
 */
import type { Collection, Db } from 'mongodb';
import { declareIndexes } from '../../plugins/mongo';
import type { Entity } from '../../plugins/marketplace-dto';
import type { RunSummary } from '../../plugins/sync-buffer';
import type { CallStats, PlatformName } from './platforms/types';

export const SYNCS = 'marketplace_syncs';
export const CHUNKS = 'marketplace_sync_chunks';
export const ENTITIES: readonly Entity[] = ['orders', 'order_tracking', 'transactions', 'returns', 'products'];

export interface EntityCounts { fetched: number; inserted: number; updated: number; unchanged: number; invalid: number; buffered: number; failed: number }
export type Counts = Record<Entity, EntityCounts>;

export type SyncStatus = 'queued' | 'running' | 'completed' | 'completed_with_errors';
export type ChunkStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SyncDoc {
  _id: string;
  status: SyncStatus;
  trigger: string;
  platform: PlatformName | null;
  shop_ids: string[];
  from: string;
  to: string;
  chunks_total: number;
  chunks_succeeded: number;
  chunks_failed: number;
  counts: Counts;
  api_calls: Record<string, number>;
  retries: number;
  rate_limited: number;
  token_refreshes: number;
  buffer: { saved: number; replayed: number; quarantined: number; pending: number };
  problem_days: { buffered: string[]; failed: string[] };
  errors: string[];
  created_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface ChunkDoc {
  _id: string;
  sync_id: string;
  shop: string;
  platform: PlatformName;
  from: string;
  to: string;
  first: boolean;
  status: ChunkStatus;
  runs: number;
  counts: Counts;
  api_calls: Record<string, number>;
  retries: number;
  rate_limited: number;
  token_refreshes: number;
  buffered_batches: number;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface ChunkReport {
  counts: Counts;
  stats: CallStats;
  bufferedBatches: number;
  days: string[];
}

declareIndexes(SYNCS, [{ key: { created_at: -1 } }]);
declareIndexes(CHUNKS, [{ key: { sync_id: 1, status: 1 } }]);

export function emptyCounts(): Counts {
  return Object.fromEntries(ENTITIES.map((e) => [e, { fetched: 0, inserted: 0, updated: 0, unchanged: 0, invalid: 0, buffered: 0, failed: 0 }])) as Counts;
}

/** `orders.search` → `orders_search`: endpoint names become field names. */
function field(name: string): string {
  return name.replace(/[.$]/g, '_');
}

export function chunkId(syncId: string, shop: string, from: string): string {
  return `${syncId}:${shop}:${from}`;
}

/** `$inc` of every non-zero counter of a report, under `prefix` paths. */
function increments(report: ChunkReport): Record<string, number> {
  const inc: Record<string, number> = {};
  for (const e of ENTITIES) for (const [k, v] of Object.entries(report.counts[e])) if (v) inc[`counts.${e}.${k}`] = v;
  for (const [k, v] of Object.entries(report.stats.calls)) inc[`api_calls.${field(k)}`] = v;
  if (report.stats.retries) inc.retries = report.stats.retries;
  if (report.stats.rateLimited) inc.rate_limited = report.stats.rateLimited;
  if (report.stats.refreshes) inc.token_refreshes = report.stats.refreshes;
  return inc;
}

const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600];

/**
 * Retries a sync-log write through a passing MongoDB failure (the data batches have the sync buffer; the log has
 * this). A write that failed with `{ ok: 0 }` changed nothing, so the retry cannot count twice.
 */
async function retried<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= RETRY_DELAYS_MS.length) throw new Error(`sync log: ${what} failed ${i + 1} times: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
    }
  }
}

export class SyncLog {
  readonly syncs: Collection<SyncDoc>;
  readonly chunks: Collection<ChunkDoc>;

  constructor(db: Db) {
    this.syncs = db.collection<SyncDoc>(SYNCS);
    this.chunks = db.collection<ChunkDoc>(CHUNKS);
  }

  /** A closed sync whose buffered batches all landed after all (boot replay) becomes `completed`. */
  async reconsider(syncId: string): Promise<void> {
    await retried('reconsider', () => this.syncs.updateOne(
      { _id: syncId, status: 'completed_with_errors', chunks_failed: 0, 'buffer.pending': 0, 'buffer.quarantined': 0 },
      { $set: { status: 'completed' } },
    ));
  }

  async createSync(s: Pick<SyncDoc, '_id' | 'trigger' | 'platform' | 'shop_ids' | 'from' | 'to'>): Promise<void> {
    await retried('create sync', () => this.syncs.insertOne({
      ...s, status: 'queued', chunks_total: 0, chunks_succeeded: 0, chunks_failed: 0, counts: emptyCounts(), api_calls: {}, retries: 0, rate_limited: 0, token_refreshes: 0,
      buffer: { saved: 0, replayed: 0, quarantined: 0, pending: 0 }, problem_days: { buffered: [], failed: [] }, errors: [], created_at: new Date().toISOString(), finished_at: null, duration_ms: null,
    }));
  }

  /** Records the chunks of a sync (idempotent: a chunk planned twice is one document). */
  async planChunks(syncId: string, chunks: Array<Pick<ChunkDoc, 'shop' | 'platform' | 'from' | 'to' | 'first'>>): Promise<string[]> {
    const ids = chunks.map((c) => chunkId(syncId, c.shop, c.from));
    if (chunks.length) {
      await retried('plan chunks', () => this.chunks.bulkWrite(chunks.map((c, i) => ({
        updateOne: {
          filter: { _id: ids[i] },
          update: { $setOnInsert: { ...c, sync_id: syncId, status: 'queued' as ChunkStatus, runs: 0, counts: emptyCounts(), api_calls: {}, retries: 0, rate_limited: 0, token_refreshes: 0, buffered_batches: 0, error: null, started_at: null, finished_at: null, duration_ms: null } },
          upsert: true,
        },
      })), { ordered: false }));
    }
    const total = await this.chunks.countDocuments({ sync_id: syncId });
    await retried('start sync', () => this.syncs.updateOne({ _id: syncId }, { $set: { chunks_total: total, status: 'running' } }));
    return ids;
  }

  /**
   * Starts a run of a queued chunk, or again one whose run did not finish (its process died, or lost the job's
   * lock). A chunk that already finished is not started: a job delivered again after its chunk was counted (its
   * process died between the count and the job's completion) must not count it twice. Resolves to `finished` then,
   * and to null when the chunk does not exist.
   */
  async startChunk(id: string): Promise<{ started: ChunkDoc } | { finished: ChunkDoc } | null> {
    const started = await retried('start chunk', () => this.chunks.findOneAndUpdate(
      { _id: id, status: { $in: ['queued', 'running'] } },
      { $set: { status: 'running', started_at: new Date().toISOString(), error: null }, $inc: { runs: 1 } },
      { returnDocument: 'after' },
    ));
    if (started) return { started };
    const finished = await retried('read chunk', () => this.chunks.findOne({ _id: id }));
    return finished ? { finished } : null;
  }

  /**
   * Stores a chunk's outcome and adds it to its sync; resolves to the sync after the update. Only the first run to
   * finish counts: when two runs of a chunk went on at once (a process lost the job's lock, another took it over),
   * the later one finds the chunk finished and resolves to `superseded`, so a sync's chunk counts never exceed its
   * chunks.
   */
  async finishChunk(chunk: ChunkDoc, status: 'succeeded' | 'failed', report: ChunkReport, error: string | null): Promise<SyncDoc | null | 'superseded'> {
    const finished = new Date();
    const duration = chunk.started_at ? finished.getTime() - Date.parse(chunk.started_at) : null;
    const inc = increments(report);
    const first = await retried('finish chunk', () => this.chunks.updateOne({ _id: chunk._id, status: 'running' }, { $set: { status, error, finished_at: finished.toISOString(), duration_ms: duration, buffered_batches: report.bufferedBatches }, $inc: inc }));
    if (first.matchedCount === 0) return 'superseded';
    const syncInc: Record<string, number> = { ...inc, [status === 'succeeded' ? 'chunks_succeeded' : 'chunks_failed']: 1 };
    const add: Record<string, unknown> = {};
    if (report.bufferedBatches) add['problem_days.buffered'] = { $each: report.days };
    if (status === 'failed') add['problem_days.failed'] = { $each: report.days };
    if (error) add.errors = `${chunk.shop} ${chunk.from}..${chunk.to}: ${error}`;
    return retried('count chunk', () => this.syncs.findOneAndUpdate({ _id: chunk.sync_id }, { $inc: syncInc, ...(Object.keys(add).length ? { $addToSet: add } : {}) }, { returnDocument: 'after' }));
  }

  /** Reopens failed chunks for a retry; resolves to their ids. */
  async reopenFailed(syncId: string): Promise<ChunkDoc[]> {
    const failed = await this.chunks.find({ sync_id: syncId, status: 'failed' }).toArray();
    if (!failed.length) return [];
    await this.chunks.updateMany({ _id: { $in: failed.map((c) => c._id) } }, { $set: { status: 'queued' } });
    await this.syncs.updateOne({ _id: syncId }, { $inc: { chunks_failed: -failed.length }, $set: { status: 'running', finished_at: null, duration_ms: null } });
    return failed;
  }

  /**
   * Adds a replay's outcome to its sync. The buffer figures (saved, replayed, quarantined) are those of the sync's
   * summary beside the buffer (`summary`), merged on disk under a lock as each batch is saved or replayed: they add
   * up across processes, hold while MongoDB is down, and count the batches of a chunk whose process was killed
   * before the chunk could report. `$max` keeps them monotonic whichever process writes last.
   */
  async addReplay(syncId: string, counts: Partial<Record<Entity, Partial<EntityCounts>>>, pending: number, summary: RunSummary | undefined, days: string[] = []): Promise<void> {
    const inc: Record<string, number> = {};
    for (const [e, c] of Object.entries(counts)) for (const [k, v] of Object.entries(c ?? {})) if (v) inc[`counts.${e}.${k}`] = v;
    const c = summary?.counters ?? {};
    await retried('count replay', () => this.syncs.updateOne({ _id: syncId }, {
      ...(Object.keys(inc).length ? { $inc: inc } : {}), $set: { 'buffer.pending': pending },
      // Every saved batch is replayed, quarantined or still pending, which also covers one whose process was killed
      // between writing its file and counting it.
      $max: { 'buffer.saved': Math.max(c.saved ?? 0, (c.replayed ?? 0) + (c.quarantined ?? 0) + pending), 'buffer.replayed': c.replayed ?? 0, 'buffer.quarantined': c.quarantined ?? 0 },
      $addToSet: { 'problem_days.buffered': { $each: [...new Set([...(summary?.lists.buffered_days ?? []), ...days])] } },
    }));
  }

  async close(syncId: string, status: SyncStatus): Promise<SyncDoc | null> {
    const s = await this.syncs.findOne({ _id: syncId });
    if (!s) return null;
    const now = new Date();
    return retried('close sync', () => this.syncs.findOneAndUpdate({ _id: syncId }, { $set: { status, finished_at: now.toISOString(), duration_ms: now.getTime() - Date.parse(s.created_at) } }, { returnDocument: 'after' }));
  }

  getSync(id: string): Promise<SyncDoc | null> {
    return this.syncs.findOne({ _id: id });
  }

  listSyncs(limit: number, platform?: PlatformName): Promise<SyncDoc[]> {
    return this.syncs.find(platform ? { platform } : {}).sort({ created_at: -1 }).limit(limit).toArray();
  }

  chunksOf(syncId: string): Promise<ChunkDoc[]> {
    return this.chunks.find({ sync_id: syncId }).sort({ shop: 1, from: 1 }).toArray();
  }
}
