/**
 * A bounded in-memory queue drained by a background flusher in multi-item writes.
 * Callers never wait on the database: `push` is O(1). When the sink fails, items stay queued and the write is
 * retried with backoff; above `maxQueued` the oldest items are dropped and counted.
 * Hand-written because the drop-oldest bound, put-back-on-failure and drain-on-shutdown semantics together are
 * not offered by a maintained library.
 */

export interface BatchWriterOptions<T> {
  name: string;
  /** Writes one batch; throwing keeps the batch for a retry. */
  write: (items: T[]) => Promise<void>;
  /** @defaultValue 2000 */
  batchSize?: number;
  /** Longest an item waits before a flush starts. @defaultValue 200 */
  flushIntervalMs?: number;
  /** Items held while the sink is slow or down; the oldest are dropped beyond this. @defaultValue 100000 */
  maxQueued?: number;
  /**
   * Batches written at once. Above 1, batches may land out of order (fine for append-only logs, not for
   * rows updated in place). @defaultValue 1
   */
  concurrency?: number;
  /** Longest wait between retries of a failing sink. @defaultValue 5000 */
  maxRetryDelayMs?: number;
  /** How often drops and sink failures are reported. @defaultValue 10000 */
  reportIntervalMs?: number;
  /**
   * Tells a lasting error (bad data: retrying cannot help) from a passing one (connection lost). On a lasting
   * error the batch is written item by item so one bad item cannot block the queue; items that still fail are
   * dropped and reported. @defaultValue every error is passing
   */
  isPermanent?: (err: unknown) => boolean;
  /** Receives a problem report (never called more than once per reportIntervalMs for each kind). */
  onReport?: (message: string, meta: Record<string, unknown>) => void;
}

export interface BatchWriterStats {
  queued: number;
  inFlight: number;
  written: number;
  dropped: number;
  failedWrites: number;
  rejected: number;
}

export class BatchWriter<T> {
  private items: T[] = [];
  private head = 0;
  private inFlight = 0;
  private readonly flights = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private retryDelay = 0;
  private closed = false;
  private droppedSinceReport = 0;
  private lastDropReport = 0;
  private lastErrorReport = 0;
  readonly stats: BatchWriterStats = { queued: 0, inFlight: 0, written: 0, dropped: 0, failedWrites: 0, rejected: 0 };
  private readonly batchSize: number;
  private readonly interval: number;
  private readonly maxQueued: number;
  private readonly maxRetryDelay: number;
  private readonly reportInterval: number;
  private readonly concurrency: number;

  constructor(private readonly opts: BatchWriterOptions<T>) {
    this.batchSize = opts.batchSize ?? 2_000;
    this.interval = opts.flushIntervalMs ?? 200;
    this.maxQueued = opts.maxQueued ?? 100_000;
    this.maxRetryDelay = opts.maxRetryDelayMs ?? 5_000;
    this.reportInterval = opts.reportIntervalMs ?? 10_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
  }

  private get saturated(): boolean {
    return this.flights.size >= this.concurrency;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.size > this.maxQueued) this.dropOldest(this.size - this.maxQueued);
    if (this.size >= this.batchSize && !this.saturated && this.retryDelay === 0) this.schedule(0);
    else if (!this.timer && this.flights.size === 0) this.schedule(this.interval);
  }

  /** Writes everything queued; resolves when the queue is empty or `timeoutMs` passed (then returns what is left). */
  async drain(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while ((this.size > 0 || this.flights.size > 0) && Date.now() < deadline) {
      if (this.size > 0 && !this.saturated && this.retryDelay === 0) void this.flushOnce();
      if (this.flights.size > 0) await Promise.race(this.flights);
      if (this.retryDelay > 0 && this.size > 0) await new Promise((r) => setTimeout(r, Math.min(this.retryDelay, Math.max(0, deadline - Date.now()))));
    }
    return this.size;
  }

  /** Stops the timer after a final drain. */
  async close(timeoutMs = 10_000): Promise<number> {
    const left = await this.drain(timeoutMs);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return left;
  }

  private schedule(delay: number): void {
    if (this.closed) return;
    const due = Date.now() + delay;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushOnce();
    }, delay);
    this.timer.unref();
  }

  private dropOldest(n: number): void {
    this.head += n;
    this.stats.dropped += n;
    this.droppedSinceReport += n;
    this.compact();
    const now = Date.now();
    if (now - this.lastDropReport >= this.reportInterval) {
      this.lastDropReport = now;
      this.opts.onReport?.(`${this.opts.name}: queue full (${this.maxQueued}); dropped ${this.droppedSinceReport} oldest item(s)`, { dropped: this.droppedSinceReport, totalDropped: this.stats.dropped });
      this.droppedSinceReport = 0;
    }
  }

  private compact(): void {
    if (this.head > 4_096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private take(): T[] {
    const batch = this.items.slice(this.head, this.head + this.batchSize);
    this.head += batch.length;
    this.compact();
    return batch;
  }

  private flushOnce(): Promise<void> {
    if (this.size === 0 || this.saturated) return Promise.resolve();
    const batch = this.take();
    this.inFlight += batch.length;
    const flight: Promise<void> = this.opts.write(batch).then(
      () => {
        this.stats.written += batch.length;
        this.retryDelay = 0;
      },
      (err: unknown) => (this.opts.isPermanent?.(err) ? this.isolate(batch) : this.putBack(batch, err)),
    ).finally(() => {
      this.inFlight -= batch.length;
      this.flights.delete(flight);
      this.stats.queued = this.size;
      if (this.size > 0 && !this.saturated) this.schedule(this.retryDelay > 0 ? this.retryDelay : this.size >= this.batchSize ? 0 : this.interval);
    });
    this.flights.add(flight);
    // More than one batch ready and room for another flight: start it now.
    if (this.size >= this.batchSize && !this.saturated) void this.flushOnce();
    return flight;
  }

  /** Writes a batch that hit a lasting error one item at a time; a passing error puts the rest back. */
  private async isolate(batch: T[]): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      try {
        await this.opts.write([batch[i]]);
        this.stats.written++;
      } catch (err) {
        if (!this.opts.isPermanent?.(err)) return this.putBack(batch.slice(i), err);
        this.stats.rejected++;
        this.opts.onReport?.(`${this.opts.name}: an item was rejected by the sink and dropped`, { error: err instanceof Error ? err.message : String(err) });
      }
    }
    this.retryDelay = 0;
  }

  private putBack(batch: T[], err: unknown): void {
    this.stats.failedWrites++;
    this.items = batch.concat(this.items.slice(this.head));
    this.head = 0;
    if (this.size > this.maxQueued) this.dropOldest(this.size - this.maxQueued);
    this.retryDelay = Math.min(this.retryDelay ? this.retryDelay * 2 : 250, this.maxRetryDelay);
    const now = Date.now();
    if (now - this.lastErrorReport >= this.reportInterval) {
      this.lastErrorReport = now;
      this.opts.onReport?.(`${this.opts.name}: write failed, ${this.size} item(s) kept for retry`, { error: err instanceof Error ? err.message : String(err), retryInMs: this.retryDelay });
    }
  }

  snapshot(): BatchWriterStats {
    return { ...this.stats, queued: this.size, inFlight: this.inFlight };
  }
}
