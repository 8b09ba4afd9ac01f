/**
 * The live side of runs: a cluster-wide set of running executions per worker (a sorted set scored by lease
 * expiry, so entries of crashed processes lapse), each worker's live-state hash, and the events. The set backs
 * the overlap policy of cron fires and the running/idle state.
 *
 * Starts, finishes and lease renewals are group-committed: they queue up and travel together in one script call
 * (live-runs.lua), at most one call every `flushIntervalMs` (the first change after a quiet spell goes out at
 * once). At high job rates this keeps the live view to a few Redis calls per second instead of two per job; a
 * start that must know whether it may run (overlap) is sent at once. Within a call each worker's hash is written
 * once, its `worker.state` event is published only when the state changes, and all events of the call go out as
 * one message (a JSON array). Every change carries its run's take, so a process that lost a job's lock cannot
 * remove the entry of the new owner (see live-runs.fold.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';
import { isoTime } from './clock';
import { mergeStatusInto, type WorkerStatusSnapshot } from './execution-recorder';
import { foldBatch, renewalsOf, type Events, type Fields, type PendingChange } from './live-runs.fold';

export type { Fields } from './live-runs.fold';

/** [running count, failure streak, entries re-added by a renewal, changes ignored as fenced out]. */
type EntryResult = [number, number, number, number];
interface Pending extends PendingChange {
  /** Only for a caller that waits for the answer (an overlap check). */
  resolve?: (r: EntryResult) => void;
  reject?: (err: unknown) => void;
}
type ApplyScript = (...args: Array<string | number>) => Promise<EntryResult[]>;

const SCRIPT = fs.readFileSync(path.join(__dirname, 'live-runs.lua'), 'utf8');
const COMMAND = 'sluiceLiveRuns5';

/** What a finished run contributes to its worker's durable status; state and failure streak come from Redis. */
export type EndedStatus = Omit<WorkerStatusSnapshot, 'state' | 'consecutiveFailures'>;

/** A run of this process, as renewals name it. */
export interface RunLease {
  executionId: string;
  /** The take of its job (see ExecutionSnapshot.fence). */
  fence: number;
}

export interface LiveRunsOptions {
  /** Lease of a running-set entry; renewed while the run goes on. */
  ttlMs: number;
  /** Shortest time between two script calls (group commit). @defaultValue 10 */
  flushIntervalMs?: number;
  /** Receives each worker's status after a batch of run ends was applied (once per worker and batch). */
  onStatus?: (status: WorkerStatusSnapshot) => void;
  /** A batch could not be applied (Redis unreachable); called at most once per 10 s. */
  onError?: (err: unknown) => void;
  /**
   * Lease renewals could not be applied (every time: the runs may lapse from the running set). They are sent
   * again with the next renewal, which also puts back an entry that lapsed meanwhile.
   */
  onRenewFailed?: (err: unknown, runs: ReadonlyMap<string, string[]>) => void;
  /** A renewal found runs of this process missing from the set (lapsed) and put them back. */
  onLapsed?: (workerId: string, count: number) => void;
}

export class LiveRuns {
  private pending: Pending[] = [];
  private statuses = new Map<string, EndedStatus>();
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private lastFlush = 0;
  private lastErrorReport = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly apply: ApplyScript;
  private readonly ttlMs: number;
  private readonly interval: number;

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly opts: LiveRunsOptions) {
    this.ttlMs = opts.ttlMs;
    this.interval = Math.max(0, opts.flushIntervalMs ?? 10);
    // defineCommand sends EVALSHA (the script body travels once per connection).
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 0, lua: SCRIPT });
    this.apply = (redis as unknown as Record<string, ApplyScript>)[COMMAND].bind(redis);
  }

  /**
   * Joins the running set only if no other run of the worker is going (overlap check); on success sets the live
   * fields and publishes the events. Sent at once: the caller waits for the answer.
   */
  startAlone(workerId: string, executionId: string, fence: number, fields: Fields, events: Events): Promise<boolean> {
    return new Promise<EntryResult>((resolve, reject) => {
      this.pending.push({ op: { kind: 's', workerId, executionId, fence, flag: true }, fields, events, at: Date.now(), resolve, reject });
      this.schedule(true);
    }).then(([ok]) => ok === 1);
  }

  /** Joins the running set, sets live fields, publishes events: in the next group commit, nothing to wait for. */
  start(workerId: string, executionId: string, fence: number, fields: Fields, events: Events): void {
    this.pending.push({ op: { kind: 's', workerId, executionId, fence, flag: false }, fields, events, at: Date.now() });
    this.schedule(false);
  }

  /**
   * Leaves the set, updates live state and the failure streak, publishes events. `status` (a final end) is merged
   * into the worker's durable status, reported through `onStatus` with the resulting state once the batch is
   * applied. `urgent` sends it at once (a cron fire whose end another fire's overlap check may be waiting for).
   */
  finish(workerId: string, executionId: string, fence: number, succeeded: boolean, fields: Fields, events: Events, status: EndedStatus | null, urgent = false): void {
    this.pending.push({ op: { kind: 'f', workerId, executionId, fence, flag: succeeded }, fields, events, at: Date.now() });
    if (status) {
      // The batch's own copy, merged into in place (a finish per job at high rates).
      const prev = this.statuses.get(workerId);
      if (prev) mergeStatusInto(prev, status);
      else this.statuses.set(workerId, { ...status });
    }
    this.schedule(urgent);
  }

  /**
   * Extends the leases of running executions, in order with starts and ends (so a renewal cannot bring back an
   * entry its run's end removed). Fenced like the rest: a run whose job another process took over is not renewed.
   */
  renew(running: ReadonlyMap<string, readonly RunLease[]>): void {
    const at = Date.now();
    let any = false;
    for (const [workerId, runs] of running) {
      for (const { executionId, fence } of runs) {
        this.pending.push({ op: { kind: 'r', workerId, executionId, fence, flag: false }, fields: {}, events: [], at });
        any = true;
      }
    }
    if (any) this.schedule(true);
  }

  /** Sends whatever is queued now and waits for every write under way (shutdown). */
  async flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) void this.flush();
    await Promise.all([...this.inFlight]);
  }

  private schedule(urgent: boolean): void {
    if (this.immediate) return;
    const wait = urgent ? 0 : this.lastFlush + this.interval - Date.now();
    if (wait <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        void this.flush();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, wait);
    }
  }

  private flush(): Promise<void> {
    const flight = this.write();
    this.inFlight.add(flight);
    return flight.finally(() => this.inFlight.delete(flight));
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    if (!batch.length) return;
    const statuses = this.statuses;
    this.pending = [];
    this.statuses = new Map();
    const now = Date.now();
    this.lastFlush = now;
    const folded = foldBatch(batch, now);
    let out: EntryResult[];
    try {
      out = await this.apply(now, this.ttlMs, this.keys.events, this.keys.state(''), this.keys.overlap(''), this.keys.runTakes(''),
        isoTime(now), JSON.stringify(folded.entries), folded.events, JSON.stringify(folded.merged));
    } catch (err) {
      this.failed(batch, err);
      return;
    }
    for (const [index, i] of folded.answerAt) batch[index].resolve?.(out[i]);
    for (const [i, entry] of folded.entries.entries()) if (entry[0] === 'g' && out[i][2] > 0) this.opts.onLapsed?.(entry[1], out[i][2]);
    if (this.opts.onStatus) {
      for (const [workerId, st] of statuses) {
        const i = folded.lastSegmentAt.get(workerId);
        const [running, failures] = i === undefined ? [0, 0] : out[i];
        this.opts.onStatus({ ...st, state: running > 0 ? 'running' : 'idle', consecutiveFailures: failures });
      }
    }
  }

  private failed(batch: Pending[], err: unknown): void {
    for (const p of batch) p.reject?.(err);
    const renewals = renewalsOf(batch);
    if (renewals.size) this.opts.onRenewFailed?.(err, renewals);
    if (batch.some((p) => p.op.kind !== 'r') && Date.now() - this.lastErrorReport >= 10_000) {
      this.lastErrorReport = Date.now();
      this.opts.onError?.(err);
    }
  }
}
