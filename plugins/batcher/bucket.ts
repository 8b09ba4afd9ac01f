/**
 * A muster bucket: callers add items and await their own result; the bucket flushes when it holds `size` items or
 * its oldest item has waited `maxWaitMs`, with up to `concurrency` flushes at once. One flush's failure rejects
 * the promises of that flush's items only, so each caller decides what to retry. Unlike BatchWriter (fire and
 * forget, drop-oldest bound) a bucket never drops: callers are held back by their own awaits.
 */

export interface BucketOptions<T, R> {
  name: string;
  /** Handles one batch; returns one result per item, in order (or nothing for `void` buckets). */
  flush: (items: T[]) => Promise<R[] | void>;
  /** Items per flush. @defaultValue 500 */
  size?: number;
  /** Longest an item waits for its batch to fill. @defaultValue 20 */
  maxWaitMs?: number;
  /** Flushes running at once; more full batches wait. @defaultValue 1 */
  concurrency?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Bucket<T, R = void> {
  private pending: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private readonly size: number;
  private readonly maxWaitMs: number;
  private readonly concurrency: number;
  private idleWaiters: Array<() => void> = [];
  readonly stats = { flushes: 0, items: 0, failures: 0 };

  constructor(private readonly opts: BucketOptions<T, R>) {
    this.size = opts.size ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 20;
    this.concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`${opts.name}: bucket size must be a positive integer, got ${this.size}`);
  }

  /** Items waiting for a flush. */
  get waiting(): number {
    return this.pending.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.kick();
    });
  }

  addMany(items: readonly T[]): Promise<R[]> {
    return Promise.all(items.map((i) => this.add(i)));
  }

  /** Flushes everything waiting now, without waiting for the batch to fill. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.running > 0) {
      if (this.pending.length > 0 && this.running < this.concurrency) this.start();
      else await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private kick(): void {
    while (this.pending.length >= this.size && this.running < this.concurrency) this.start();
    if (this.pending.length > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.pending.length > 0 && this.running < this.concurrency) this.start();
        else if (this.pending.length > 0) this.kick();
      }, this.maxWaitMs);
    }
  }

  private start(): void {
    const batch = this.pending.splice(0, this.size);
    if (this.timer && this.pending.length === 0) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running++;
    this.stats.flushes++;
    this.stats.items += batch.length;
    this.opts.flush(batch.map((p) => p.item)).then(
      (results) => batch.forEach((p, i) => p.resolve((results ? results[i] : undefined) as R)),
      (err: unknown) => {
        this.stats.failures++;
        for (const p of batch) p.reject(err);
      },
    ).finally(() => {
      this.running--;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      if (this.pending.length > 0) this.kick();
    });
  }
}
