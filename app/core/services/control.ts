/** Requests that must reach the process owning a job or listener (stop, start, restart), over Redis pub/sub. */
import type { Redis } from 'ioredis';

export type ControlMessage =
  | { type: 'cancel'; executionId: string; reason?: string }
  | { type: 'listener'; workerId: string; action: 'start' | 'stop' | 'restart' };

export class ControlChannel {
  constructor(private readonly redis: Redis, private readonly channel: string) {}

  /** Resolves to the number of processes that heard the request. */
  async send(message: ControlMessage): Promise<number> {
    return this.redis.publish(this.channel, JSON.stringify(message));
  }

  async listen(sub: Redis, onMessage: (m: ControlMessage) => void): Promise<void> {
    sub.on('message', (ch: string, raw: string) => {
      if (ch !== this.channel) return;
      try {
        onMessage(JSON.parse(raw) as ControlMessage);
      } catch {
        // ignore malformed control messages
      }
    });
    await sub.subscribe(this.channel);
  }
}
