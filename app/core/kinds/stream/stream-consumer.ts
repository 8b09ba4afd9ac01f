/**
 * One consumer of a stream's group in this process: `concurrency` read loops sharing the consumer name. Each loop
 * takes over idle pending entries (XAUTOCLAIM) when due, else reads new ones (XREADGROUP BLOCK), hands the batch to
 * the worker's `handle`, then settles it in one command: a plain XACK when all went well, else one MULTI with the
 * acks, dead-letters for entries out of deliveries and last errors for the rest (they stay pending). A batch is
 * settled whole or not at all; entry counters reach the live hash every STREAM_STATE_INTERVAL_MS. A loop reads its
 * next batch while the previous batch's MULTI is on the wire (one settle in flight per loop), saving a round trip.
 */
import type { Redis } from 'ioredis';
import type { RedisFactory } from '../../services/redis';
import type { StreamDefinition } from './stream.definition';
import { assertExec, ensureGroup, queueDeadLetter, type StreamKeys } from './stream.redis';
import { batchOutcome, toEntries, type BatchOutcome } from './stream-outcome';
import type { StreamContext, StreamEntry, StreamResult, StreamWorker } from './stream-worker';

export interface ConsumerSettings {
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  maxDeliveries: number;
  concurrency: number;
}

export interface ConsumerDeps {
  redis: Redis;
  redisFactory: RedisFactory;
  instance: StreamWorker;
  ctx: StreamContext;
  /** How often entry counters are added to the live hash. */
  countsIntervalMs: number;
  /** A batch had failures (logged and recorded by the supervisor). */
  onFailures(outcome: BatchOutcome, dead: number): void;
  /** Redis or the handler's settle step failed; the loop goes on after a pause. */
  onError(err: unknown): void;
}

type RawEntries = Array<[string, string[] | null]>;

/** Entry counters of this process not yet added to the live hash (they are kept there cluster-wide). */
interface Counts {
  delivered: number;
  acked: number;
  failed: number;
  reclaimed: number;
  dead: number;
}

/** A handled batch: the entries handed to `handle`, those past maxDeliveries, and what became of the first. */
interface Settlement {
  todo: StreamEntry[];
  over: StreamEntry[];
  outcome: BatchOutcome;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export class StreamConsumer {
  private stopping = false;
  private abandoned = false;
  private readonly connections = new Set<Redis>();
  private loops: Promise<void>[] = [];
  private nextClaimAt = 0;
  private readonly counts: Counts = { delivered: 0, acked: 0, failed: 0, reclaimed: 0, dead: 0 };
  private countTimer: NodeJS.Timeout | null = null;
  private claimCursor = '0-0';

  constructor(private readonly def: StreamDefinition, private readonly keys: StreamKeys, private readonly s: ConsumerSettings, private readonly deps: ConsumerDeps) {}

  private get consumer(): string {
    return this.deps.ctx.consumer;
  }

  start(): void {
    this.loops = Array.from({ length: this.s.concurrency }, (_, slot) => this.loop(slot));
    this.countTimer = setInterval(() => void this.flushCounts().catch((err: unknown) => this.deps.onError(err)), this.deps.countsIntervalMs);
    this.countTimer.unref();
  }

  /**
   * Stops reading; batches in hand get `graceMs` to finish and be settled. Past it they are abandoned unsettled
   * (left pending for another consumer) and the handler's signal fires. Resolves whether all finished in time.
   */
  async stop(graceMs: number, abort: () => void): Promise<boolean> {
    this.stopping = true;
    for (const conn of this.connections) conn.disconnect();
    const all = Promise.allSettled(this.loops);
    const inTime = await Promise.race([all.then(() => true), pause(graceMs).then(() => false)]);
    if (!inTime) {
      this.abandoned = true;
      abort();
    }
    if (this.countTimer) clearInterval(this.countTimer);
    await this.flushCounts().catch((err: unknown) => this.deps.onError(err));
    return inTime;
  }

  private async loop(slot: number): Promise<void> {
    const conn = this.deps.redisFactory.create(`worker:stream:${this.def.id}:${slot}`, { blocking: true });
    this.connections.add(conn);
    let settling: Promise<void> = Promise.resolve();
    try {
      while (!this.stopping) {
        try {
          const claimed = await this.claimDue();
          const batch = claimed.length ? claimed : await this.read(conn);
          if (!batch.length) continue;
          const outcome = await this.handle(batch);
          await settling;
          settling = outcome ? this.settle(batch, outcome, claimed.length > 0).catch((err: unknown) => this.deps.onError(err)) : Promise.resolve();
        } catch (err) {
          if (this.stopping) break;
          this.deps.onError(err);
          if (/NOGROUP/.test((err as Error).message)) await ensureGroup(this.deps.redis, this.keys.stream, this.def.group).catch((e: unknown) => this.deps.onError(e));
          await pause(Math.min(1_000, this.s.blockMs));
        }
      }
    } finally {
      await settling;
      this.connections.delete(conn);
      conn.disconnect();
    }
  }

  private async read(conn: Redis): Promise<StreamEntry[]> {
    if (this.stopping) return [];
    const res = (await conn.xreadgroup('GROUP', this.def.group, this.consumer, 'COUNT', this.s.batchSize, 'BLOCK', this.s.blockMs, 'STREAMS', this.keys.stream, '>')) as Array<[string, RawEntries]> | null;
    // '>' hands out entries never delivered before: this is their first delivery.
    return res?.[0] ? toEntries(res[0][1], () => 1) : [];
  }

  /** Takes over entries idle past claimIdleMs: checked every quarter of it (at most every second), at once while more wait. */
  private async claimDue(): Promise<StreamEntry[]> {
    const now = Date.now();
    if (now < this.nextClaimAt || this.stopping) return [];
    this.nextClaimAt = now + Math.max(50, Math.min(this.s.claimIdleMs / 4, 1_000));
    const [next, raw] = (await this.deps.redis.xautoclaim(this.keys.stream, this.def.group, this.consumer, this.s.claimIdleMs, this.claimCursor, 'COUNT', this.s.batchSize)) as [string, RawEntries, string[]];
    this.claimCursor = next;
    if (next !== '0-0') this.nextClaimAt = 0;
    if (!raw.length) return [];
    // Delivery counts live in the pending list (XAUTOCLAIM counted this delivery).
    const pipe = this.deps.redis.pipeline();
    for (const [id] of raw) pipe.xpending(this.keys.stream, this.def.group, id, id, 1);
    const counts = new Map<string, number>();
    for (const [err, rows] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      const row = (rows as Array<[string, string, number, number]>)[0];
      if (row) counts.set(row[0], Number(row[3]));
    }
    return toEntries(raw, (id) => counts.get(id) ?? 1);
  }

  /** Runs the handler on the entries still within maxDeliveries; null when the batch was abandoned (shutdown). */
  private async handle(batch: StreamEntry[]): Promise<Settlement | null> {
    const over = batch.filter((e) => e.deliveries > this.s.maxDeliveries);
    const todo = over.length ? batch.filter((e) => e.deliveries <= this.s.maxDeliveries) : batch;
    let result: StreamResult | void = undefined;
    let error: unknown;
    let threw = false;
    if (todo.length) {
      try {
        result = await this.deps.instance.handle(todo, this.deps.ctx);
      } catch (err) {
        error = err;
        threw = true;
      }
    }
    // Shutdown past the grace period: the batch stays pending as a whole for another consumer.
    if (this.abandoned) return null;
    return { todo, over, outcome: batchOutcome(todo, result, error, threw) };
  }

  /**
   * Settles a batch: a clean one (all done, first deliveries) with one XACK; otherwise one MULTI holding the acks,
   * the dead letters with their acks, the last errors of entries left pending, and the cleanup of old errors.
   */
  private async settle(batch: StreamEntry[], { todo, over, outcome }: Settlement, reclaimed: boolean): Promise<void> {
    const { keys, def } = this;
    const byId = new Map(todo.map((e) => [e.id, e]));
    const retried = outcome.done.filter((id) => byId.get(id)!.deliveries > 1);
    this.count(batch.length, outcome.done.length, outcome.failed.size + outcome.dead.size, reclaimed ? batch.length : 0, 0);
    if (!outcome.failed.size && !outcome.dead.size && !over.length && !retried.length) {
      if (outcome.done.length) await this.deps.redis.xack(keys.stream, def.group, ...outcome.done);
      return;
    }
    const m = this.deps.redis.multi();
    // Positions of the dead-letter scripts in the reply: each says whether it wrote the letter (1) or found the
    // entry acked already by a consumer that had reclaimed it (0).
    const letters: number[] = [];
    let queued = 0;
    const queue = (add: () => void): number => {
      add();
      return queued++;
    };
    if (outcome.done.length) queue(() => m.xack(keys.stream, def.group, ...outcome.done));
    if (retried.length) queue(() => m.hdel(keys.errors, ...retried));
    for (const [id, error] of outcome.failed) {
      const entry = byId.get(id)!;
      if (entry.deliveries >= this.s.maxDeliveries) letters.push(queue(() => queueDeadLetter(m, keys, def.group, entry, error, def.stream, this.consumer)));
      else queue(() => m.hset(keys.errors, id, error));
    }
    for (const [id, error] of outcome.dead) letters.push(queue(() => queueDeadLetter(m, keys, def.group, byId.get(id)!, error, def.stream, this.consumer)));
    if (over.length) {
      const last = await this.deps.redis.hmget(keys.errors, ...over.map((e) => e.id));
      over.forEach((e, i) => letters.push(queue(() => queueDeadLetter(m, keys, def.group, e, last[i] ?? `no consumer finished it in ${e.deliveries - 1} deliveries (it died or stopped)`, def.stream, this.consumer))));
    }
    const res = await m.exec();
    assertExec(res, `stream ${def.id}: settling a batch of ${batch.length}`);
    const dead = letters.filter((i) => Number(res![i]![1]) === 1).length;
    this.count(0, 0, 0, 0, dead);
    this.deps.onFailures(outcome, dead);
  }

  private count(delivered: number, acked: number, failed: number, reclaimed: number, dead: number): void {
    const c = this.counts;
    c.delivered += delivered;
    c.acked += acked;
    c.failed += failed;
    c.reclaimed += reclaimed;
    c.dead += dead;
  }

  /** Adds this process' counts to the live hash (cluster-wide totals); called on a timer and at stop. */
  async flushCounts(): Promise<void> {
    const entries = Object.entries(this.counts).filter(([, n]) => n > 0);
    if (!entries.length) return;
    for (const [k] of entries) this.counts[k as keyof Counts] = 0;
    const pipe = this.deps.redis.pipeline();
    for (const [field, n] of entries) pipe.hincrby(this.keys.state, field, n);
    try {
      assertExec(await pipe.exec(), `stream ${this.def.id}: counting entries`);
    } catch (err) {
      for (const [k, n] of entries) this.counts[k as keyof Counts] += n;
      throw err;
    }
  }
}
