/** A counting semaphore with a FIFO wait list: at most `limit` holders at once. */
export class Semaphore {
  private holders = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`semaphore limit must be a positive integer, got ${limit}`);
  }

  get inUse(): number {
    return this.holders;
  }

  get queued(): number {
    return this.waiting.length;
  }

  acquire(): Promise<void> {
    if (this.holders < this.limit) {
      this.holders++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter (the holder count stays) or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.holders--;
  }
}
