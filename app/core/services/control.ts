/** Requests that must reach the process owning a job or listener (stop, start, restart), over Redis pub/sub. */
import type { Redis } from 'ioredis';
import { errorText } from './failure';

/** Where a malformed message or a failing handler is reported (a winston logger fits). */
export interface ControlReporter {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export type ControlMessage =
  | { type: 'cancel'; executionId: string; reason?: string }
  | { type: 'listener'; workerId: string; action: 'start' | 'stop' | 'restart' };

export class ControlChannel {
  constructor(private readonly redis: Redis, private readonly channel: string, private readonly reporter?: ControlReporter) {}

  /** Resolves to the number of processes that heard the request. */
  async send(message: ControlMessage): Promise<number> {
    return this.redis.publish(this.channel, JSON.stringify(message));
  }

  /**
   * Calls `onMessage` for every request. A message that does not parse is reported and skipped; a handler that
   * throws or rejects is reported with the request it failed on (the worker or execution it names).
   */
  async listen(sub: Redis, onMessage: (m: ControlMessage) => void | Promise<unknown>): Promise<void> {
    sub.on('message', (ch: string, raw: string) => {
      if (ch !== this.channel) return;
      let message: ControlMessage;
      try {
        message = JSON.parse(raw) as ControlMessage;
      } catch (err) {
        this.reporter?.warn(`control channel: ignored a malformed message (${errorText(err)}): ${raw.slice(0, 200)}`, { stored: false });
        return;
      }
      const fail = (err: unknown): void => {
        const target = message.type === 'cancel' ? { executionId: message.executionId } : { workerId: message.workerId };
        const what = message.type === 'cancel' ? `cancel of execution ${message.executionId}` : `${message.action} of listener ${message.workerId}`;
        this.reporter?.error(`control channel: ${what} failed: ${errorText(err)}`, target);
      };
      try {
        const out = onMessage(message);
        if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).catch(fail);
      } catch (err) {
        fail(err);
      }
    });
    await sub.subscribe(this.channel);
  }
}
