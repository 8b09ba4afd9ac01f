/**
 * Per-execution order for /ws. A run's start and end travel through the grouped live-state path while its
 * progress and plugin events are published at once, so `execution.progress` could overtake `execution.started`.
 * Events of an execution whose start this relay has not seen yet are held until the start arrives (then sent right
 * after it, in arrival order) or until API_WS_ORDER_HOLD_MS passed (the start happened before this process
 * subscribed, or was lost): nothing is ever dropped, and events of other executions are never delayed.
 */
import type { FeedEvent } from './event-feed';

interface Held {
  events: FeedEvent[];
  timer: NodeJS.Timeout;
}

export class ExecutionOrder {
  /** Executions whose start was seen (insertion order = age, for the bound). */
  private readonly started = new Set<string>();
  private readonly held = new Map<string, Held>();

  constructor(private readonly emit: (e: FeedEvent) => void, private readonly holdMs: number, private readonly maxTracked = 10_000) {}

  push(e: FeedEvent): void {
    const data = e.event.data as { executionId?: unknown } | null;
    const id = typeof data?.executionId === 'string' ? data.executionId : null;
    if (!id || this.holdMs <= 0) return this.emit(e);
    switch (e.event.type) {
      case 'execution.started':
        this.markStarted(id);
        this.emit(e);
        return this.release(id);
      case 'execution.finished':
        // Behind held events it waits its turn; otherwise it ends the tracking (a skipped run never starts).
        if (this.held.has(id)) return void this.held.get(id)!.events.push(e);
        this.started.delete(id);
        return this.emit(e);
      default:
        if (this.started.has(id)) return this.emit(e);
        return this.hold(id, e);
    }
  }

  /** Sends everything still held (shutdown). */
  flush(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }

  private markStarted(id: string): void {
    this.started.add(id);
    if (this.started.size > this.maxTracked) this.started.delete(this.started.values().next().value as string);
  }

  private hold(id: string, e: FeedEvent): void {
    const held = this.held.get(id);
    if (held) return void held.events.push(e);
    if (this.held.size >= this.maxTracked) this.release(this.held.keys().next().value as string);
    const timer = setTimeout(() => this.release(id), this.holdMs);
    timer.unref();
    this.held.set(id, { events: [e], timer });
  }

  private release(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(id);
    for (const e of held.events) {
      if (e.event.type === 'execution.finished') this.started.delete(id);
      this.emit(e);
    }
  }
}
