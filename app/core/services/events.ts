/** The event channel (SPEC §4): published on Redis pub/sub, relayed to /ws clients by the API. */
import type { Redis } from 'ioredis';
import { isoTime } from './clock';
import type { Redactor } from './redact';

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

/** Strings JSON writes as they are (no quote, backslash, control character or surrogate to escape). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/**
 * `JSON.stringify({ type, ts, data })`, the same text, written by hand when `data` is flat (strings, finite numbers,
 * booleans, null; undefined values left out, as JSON.stringify does): two run events per job make this the hottest
 * serialisation Sluice does, and on Node 20 the built-in takes about 1.2 µs for one of them, this about 0.7 µs.
 * Anything else (nested values, NaN, Infinity) goes through JSON.stringify.
 */
export function eventJson(type: string, ts: string, data: object): string {
  let out = `{"type":${jsonString(type)},"ts":${jsonString(ts)},"data":{`;
  let first = true;
  for (const key in data) {
    if (!Object.hasOwn(data, key)) continue;
    const v = (data as Record<string, unknown>)[key];
    let text: string;
    if (typeof v === 'string') text = jsonString(v);
    else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
    else if (v === null || typeof v === 'boolean') text = String(v);
    else if (v === undefined) continue;
    else return JSON.stringify({ type, ts, data });
    out += `${first ? '' : ','}${jsonString(key)}:${text}`;
    first = false;
  }
  return `${out}}}`;
}

export class EventBus {
  private lastReport = 0;

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly onError: (err: Error) => void = () => undefined,
    /** Redacts and caps every payload field (plugin events and progress carry values from workers). */
    private readonly redactor?: Redactor,
  ) {}

  /** Fire-and-forget: events are a live view, the MySQL record is what survives. Failures are reported (≤ 1 per 10 s). */
  publish<T extends EventType>(type: T, data: SluiceEventMap[T]): void {
    this.redis.publish(this.channel, eventJson(type, isoTime(Date.now()), this.redactor ? this.redactor.fields(data) : data)).catch((err: Error) => {
      if (Date.now() - this.lastReport < 10_000) return;
      this.lastReport = Date.now();
      this.onError(err);
    });
  }

  /**
   * Subscribes on a dedicated connection; returns an unsubscribe function. A handler may return a promise. A handler
   * that throws or rejects, and a message that does not parse, are reported through `onError` with the event (one
   * failure never costs the other events of a message).
   */
  static async subscribe(
    sub: Redis, channel: string, onEvent: (e: SluiceEvent) => void | Promise<unknown>,
    onError: (err: unknown, event: SluiceEvent | null) => void = reportToStderr,
  ): Promise<() => Promise<void>> {
    const handler = (ch: string, message: string): void => {
      if (ch !== channel) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch (err) {
        onError(new Error(`malformed event message (${err instanceof Error ? err.message : String(err)}): ${message.slice(0, 200)}`), null);
        return;
      }
      // Run bookkeeping publishes its events in batches: one message holding an array of events.
      for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!event || typeof event !== 'object' || typeof (event as SluiceEvent).type !== 'string') continue;
        try {
          const out = onEvent(event as SluiceEvent);
          if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).catch((err: unknown) => onError(err, event as SluiceEvent));
        } catch (err) {
          onError(err, event as SluiceEvent);
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

/** The fallback for subscribers that pass no reporter: never silent. */
function reportToStderr(err: unknown, event: SluiceEvent | null): void {
  const about = event ? ` handling ${event.type}${describeTarget(event)}` : '';
  process.emitWarning(`event subscriber failed${about}: ${err instanceof Error ? err.message : String(err)}`);
}

/** ` of worker "x"` when the event names a worker. */
export function describeTarget(event: SluiceEvent | null): string {
  const workerId = (event?.data as { workerId?: unknown } | undefined)?.workerId;
  return typeof workerId === 'string' ? ` of worker "${workerId}"` : '';
}
