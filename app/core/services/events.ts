/** The event channel (SPEC §4): published on Redis pub/sub, relayed to /ws clients by the API. */
import type { Redis } from 'ioredis';

export interface SluiceEventMap {
  'worker.state': { workerId: string; state: string; executionId?: string | null };
  'execution.started': { workerId: string; executionId: string; attempt: number; trigger: string };
  'execution.progress': { workerId: string; executionId: string; progress: unknown };
  'execution.finished': { workerId: string; executionId: string; status: string; durationMs: number | null; error?: string | null };
  'execution.logs': { workerId: string; executionId: string; count: number };
  'config.changed': { workerId: string | null; key: string };
  'schedule.changed': { workerId: string };
  'listener.state': { workerId: string; state: string };
  'stream.state': { workerId: string; state: string; consumers?: number; pending?: number; lag?: number | null; length?: number };
  [plugin: `${string}.${string}`]: Record<string, unknown>;
}

export type EventType = keyof SluiceEventMap & string;

export interface SluiceEvent<T extends EventType = EventType> {
  type: T;
  ts: string;
  data: SluiceEventMap[T];
}

export class EventBus {
  private lastReport = 0;

  constructor(private readonly redis: Redis, private readonly channel: string, private readonly onError: (err: Error) => void = () => undefined) {}

  /** Fire-and-forget: events are a live view, the MySQL record is what survives. Failures are reported (≤ 1 per 10 s). */
  publish<T extends EventType>(type: T, data: SluiceEventMap[T]): void {
    const event: SluiceEvent<T> = { type, ts: new Date().toISOString(), data };
    this.redis.publish(this.channel, JSON.stringify(event)).catch((err: Error) => {
      if (Date.now() - this.lastReport < 10_000) return;
      this.lastReport = Date.now();
      this.onError(err);
    });
  }

  /** Subscribes on a dedicated connection; returns an unsubscribe function. */
  static async subscribe(sub: Redis, channel: string, onEvent: (e: SluiceEvent) => void): Promise<() => Promise<void>> {
    const handler = (ch: string, message: string): void => {
      if (ch !== channel) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return; // a malformed message from a foreign publisher is ignored
      }
      // Run bookkeeping publishes its events in batches: one message holding an array of events.
      for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!event || typeof event !== 'object' || typeof (event as SluiceEvent).type !== 'string') continue;
        try {
          onEvent(event as SluiceEvent);
        } catch {
          // one handler failure must not cost the other events of the message
        }
      }
    };
    sub.on('message', handler);
    await sub.subscribe(channel);
    return async () => {
      sub.off('message', handler);
      await sub.unsubscribe(channel);
    };
  }
}
