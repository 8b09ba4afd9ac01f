/** A counting semaphore with a FIFO wait list: at most `limit` units held at once; a holder may take several. */
export class Semaphore {
  private held = 0;
  // A queue with a moving head: shift() on a long array is O(n) per release.
  private waiting: Array<{ n: number; resolve: () => void }> = [];
  private head = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`semaphore limit must be a positive integer, got ${limit}`);
  }

  get inUse(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Resolves once `n` units (at most the limit) are held by the caller; first come, first served. */
  acquire(n = 1): Promise<void> {
    const units = Math.min(Math.max(1, n), this.limit);
    if (this.queued === 0 && this.held + units <= this.limit) {
      this.held += units;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push({ n: units, resolve }));
  }

  release(n = 1): void {
    this.held -= Math.min(Math.max(1, n), this.limit);
    while (this.queued > 0 && this.held + this.waiting[this.head].n <= this.limit) {
      const next = this.waiting[this.head++];
      this.held += next.n;
      next.resolve();
    }
    if (this.head > 1_024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
