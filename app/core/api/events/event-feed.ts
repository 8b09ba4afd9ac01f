/**
 * One subscription to the Redis event channel per API process, fanned out in-process to the /ws relay and the
 * metrics. Each event is parsed once and serialized once, whatever the number of listeners.
 */
import type { Redis } from 'ioredis';
import { EventBus, type SluiceEvent } from '../../services/events';

export interface FeedEvent {
  event: SluiceEvent;
  /** The event as sent to clients (one JSON text per event). */
  text: string;
  workerId: string | null;
}

export type FeedListener = (e: FeedEvent) => void;

export class EventFeed {
  private readonly listeners = new Set<FeedListener>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly sub: Redis, private readonly channel: string, private readonly onListenerError: (err: unknown) => void) {}

  async start(): Promise<void> {
    this.unsubscribe = await EventBus.subscribe(this.sub, this.channel, (event) => {
      const data = event.data as { workerId?: unknown } | null;
      const fe: FeedEvent = { event, text: JSON.stringify(event), workerId: typeof data?.workerId === 'string' ? data.workerId : null };
      for (const l of this.listeners) {
        try {
          l(fe);
        } catch (err) {
          this.onListenerError(err);
        }
      }
    }, (err) => this.onListenerError(err));
  }

  on(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.unsubscribe?.();
    this.sub.disconnect();
  }
}
