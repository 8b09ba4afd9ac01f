/**
 * Run timeouts without a timer per run. Every run of a worker has the same timeout, so deadlines added to one
 * list (one per duration) come in the order they expire: the list keeps its runs in that order and one timer for
 * its head, as Node's own timer lists do, but without the Timeout object, async id and heap work Node spends on
 * each `setTimeout`/`clearTimeout` pair (two per job, about a microsecond, at thousands of jobs a second).
 * Removing a run that ended is O(1); a timer that finds its head ended re-arms for the next one.
 */

/** The longest delay setTimeout honours (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  /** The run ended first: its expiry is not called. Idempotent. */
  cancel(): void;
}

class Entry implements Deadline {
  prev: Entry | null = null;
  next: Entry | null = null;
  linked = true;

  constructor(readonly list: DeadlineList, readonly at: number, readonly onExpire: () => void) {}

  cancel(): void {
    if (this.linked) this.list.unlink(this);
  }
}

class DeadlineList {
  head: Entry | null = null;
  tail: Entry | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly owner: Deadlines, readonly durationMs: number) {}

  push(onExpire: () => void): Entry {
    const e = new Entry(this, performance.now() + this.durationMs, onExpire);
    if (this.tail) {
      this.tail.next = e;
      e.prev = this.tail;
    } else {
      this.head = e;
    }
    this.tail = e;
    if (!this.timer) this.arm(e.at);
    return e;
  }

  unlink(e: Entry): void {
    e.linked = false;
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
    // The armed timer stays: it re-arms for the new head when it fires, or ends the list if there is none.
  }

  private arm(at: number): void {
    // setTimeout takes at most 2^31-1 ms (it fires at once beyond that): a longer timeout re-arms when that passes.
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(at - performance.now()))));
    // Runs keep the process alive on their own (the queue's connections); a pending deadline must not.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    const now = performance.now();
    // Node's timers count from the loop's cached time and may fire a fraction of a millisecond early by this
    // clock: a head not yet due is re-armed (for at least 1 ms), never expired early.
    while (this.head && this.head.at <= now) {
      const e = this.head;
      this.unlink(e);
      try {
        e.onExpire();
      } catch (err) {
        this.owner.report(err);
      }
    }
    if (this.head) this.arm(this.head.at);
    else this.owner.drop(this);
  }
}

export class Deadlines {
  private readonly lists = new Map<number, DeadlineList>();

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Calls `onExpire` once `ms` have passed, unless the returned deadline is cancelled first. */
  add(ms: number, onExpire: () => void): Deadline {
    let list = this.lists.get(ms);
    if (!list) this.lists.set(ms, (list = new DeadlineList(this, ms)));
    return list.push(onExpire);
  }

  /** @internal */
  drop(list: DeadlineList): void {
    if (this.lists.get(list.durationMs) === list) this.lists.delete(list.durationMs);
  }

  /** @internal */
  report(err: unknown): void {
    this.onError(err);
  }
}
