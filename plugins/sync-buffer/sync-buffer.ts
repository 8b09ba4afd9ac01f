/**
 * The sync buffer: a batch whose database write failed is saved as one JSON file (collection, raw records, the
 * metadata needed to rebuild the writes, the error, the retry count) and replayed later. Files are written
 * atomically (write-file-atomic) and each replay holds a cross-process lock (proper-lockfile) on its file, so two
 * processes replaying one buffer apply each batch once. After `maxRetries` failed replays a file moves to
 * `quarantine/` and is reported. Names are time-ordered UUIDs (v7) plus the pid: they never collide across processes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { exists, readJson, WAIT_RETRIES, withLock, withLockWaiting, writeJsonAtomic, type LockTuning } from './files';

export interface BufferedBatch<M = Record<string, unknown>> {
  id: string;
  collection: string;
  /** The records as they came from the source, so the write can be rebuilt. */
  records: unknown[];
  meta: M;
  error: { name: string; message: string };
  /** Failed replays so far. */
  retries: number;
  savedAt: string;
  lastTriedAt?: string;
}

export interface SyncBufferOptions extends LockTuning {
  /** Root folder (SYNC_BUFFER_DIR). */
  dir: string;
  /** Replays a batch may fail before it is quarantined. @defaultValue 3 (SYNC_BUFFER_MAX_RETRIES) */
  maxRetries?: number;
}

export interface QuarantinedBatch {
  id: string;
  collection: string;
  file: string;
  retries: number;
  error: string;
  meta: Record<string, unknown>;
}

export interface ReplayReport {
  /** Batches written by this replay (their files are gone). */
  applied: number;
  /** Batches that failed again and stay pending with one more retry counted. */
  failed: number;
  /** Batches moved to quarantine by this replay. */
  quarantined: QuarantinedBatch[];
  /** Batches another process was replaying (or had replayed) meanwhile. */
  skipped: number;
  /** Records in the applied batches. */
  records: number;
}

export type ReplayFilter<M> = (batch: BufferedBatch<M>) => boolean;

export interface ReplayOptions {
  /**
   * Wait for a batch another process is replaying instead of skipping it, so that when the replay resolves every
   * batch it saw is either done or still pending. @defaultValue false
   */
  waitForOthers?: boolean;
}

function errorOf(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

export class SyncBuffer<M extends Record<string, unknown> = Record<string, unknown>> {
  readonly pendingDir: string;
  readonly quarantineDir: string;
  private readonly lockDir: string;
  private readonly maxRetries: number;

  constructor(private readonly opts: SyncBufferOptions) {
    if (!opts.dir) throw new Error('sync buffer needs a directory (SYNC_BUFFER_DIR)');
    this.maxRetries = opts.maxRetries ?? 3;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 1) throw new Error(`SYNC_BUFFER_MAX_RETRIES must be a positive integer, got ${this.maxRetries}`);
    this.pendingDir = path.join(opts.dir, 'pending');
    this.quarantineDir = path.join(opts.dir, 'quarantine');
    this.lockDir = path.join(opts.dir, 'locks');
  }

  /** Saves a failed batch; resolves to its id (the file name without `.json`). */
  async save(collection: string, records: unknown[], meta: M, error: unknown): Promise<string> {
    const id = `${uuidv7()}-${process.pid}-${collection.replace(/[^a-z0-9_]/gi, '_')}`;
    const batch: BufferedBatch<M> = { id, collection, records, meta, error: errorOf(error), retries: 0, savedAt: new Date().toISOString() };
    await writeJsonAtomic(this.fileOf(id), batch);
    return id;
  }

  /** Ids of the pending batches, oldest first. */
  async pending(): Promise<string[]> {
    return this.idsIn(this.pendingDir);
  }

  async quarantined(): Promise<string[]> {
    return this.idsIn(this.quarantineDir);
  }

  async read(id: string): Promise<BufferedBatch<M> | undefined> {
    return readJson<BufferedBatch<M>>(this.fileOf(id));
  }

  /**
   * Replays pending batches through `apply` (which must be idempotent: a crash between the write and the file's
   * removal replays it again). Batches `filter` rejects are left alone.
   */
  async replay(apply: (batch: BufferedBatch<M>) => Promise<void>, filter?: ReplayFilter<M>, options: ReplayOptions = {}): Promise<ReplayReport> {
    const report: ReplayReport = { applied: 0, failed: 0, quarantined: [], skipped: 0, records: 0 };
    const tuning = options.waitForOthers ? { ...this.opts, retries: Math.max(this.opts.retries ?? 0, WAIT_RETRIES) } : this.opts;
    for (const id of await this.pending()) {
      const outcome = await withLock(this.lockDir, id, tuning, () => this.replayOne(id, apply, filter));
      if (!outcome.locked || outcome.value === 'gone') report.skipped++;
      else if (outcome.value === 'filtered') continue;
      else if (outcome.value === 'failed') report.failed++;
      else if ('quarantined' in outcome.value) report.quarantined.push(outcome.value.quarantined);
      else {
        report.applied++;
        report.records += outcome.value.records;
      }
    }
    return report;
  }

  /**
   * Runs `fn` holding the cross-process lock `name` (waiting for it while another process holds it), so that
   * processes reading the buffer and acting on what they read (counting its pending batches, say) take turns.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withLockWaiting(this.lockDir, `section-${name.replace(/[^a-z0-9_-]/gi, '_')}`, { staleMs: this.opts.staleMs }, `the sync buffer's section ${name}`, fn);
  }

  private async replayOne(id: string, apply: (b: BufferedBatch<M>) => Promise<void>, filter?: ReplayFilter<M>): Promise<'gone' | 'filtered' | 'failed' | { records: number } | { quarantined: QuarantinedBatch }> {
    const file = this.fileOf(id);
    const batch = await readJson<BufferedBatch<M>>(file);
    if (!batch) return 'gone';
    if (filter && !filter(batch)) return 'filtered';
    try {
      await apply(batch);
    } catch (err) {
      batch.retries++;
      batch.error = errorOf(err);
      batch.lastTriedAt = new Date().toISOString();
      if (batch.retries < this.maxRetries) {
        await writeJsonAtomic(file, batch);
        return 'failed';
      }
      const dest = path.join(this.quarantineDir, `${id}.json`);
      await writeJsonAtomic(dest, batch);
      await fs.rm(file, { force: true });
      return { quarantined: { id, collection: batch.collection, file: dest, retries: batch.retries, error: batch.error.message, meta: batch.meta } };
    }
    await fs.rm(file, { force: true });
    return { records: batch.records.length };
  }

  private fileOf(id: string): string {
    return path.join(this.pendingDir, `${id}.json`);
  }

  private async idsIn(dir: string): Promise<string[]> {
    if (!(await exists(dir))) return [];
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  }
}
