/** A counting semaphore with a FIFO wait list: at most `limit` units held at once; a holder may take several. */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`semaphore limit must be a positive integer, got ${limit}`);
  }

  get inUse(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once `n` units (at most the limit) are held by the caller; first come, first served. */
  acquire(n = 1): Promise<void> {
    const units = Math.min(Math.max(1, n), this.limit);
    if (this.waiting.length === 0 && this.held + units <= this.limit) {
      this.held += units;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push({ n: units, resolve }));
  }

  release(n = 1): void {
    this.held -= Math.min(Math.max(1, n), this.limit);
    while (this.waiting.length > 0 && this.held + this.waiting[0].n <= this.limit) {
      const next = this.waiting.shift()!;
      this.held += next.n;
      next.resolve();
    }
  }
}
