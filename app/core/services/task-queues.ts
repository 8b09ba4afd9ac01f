/** One Bull queue per schedule worker, sharing the command and subscriber connections. */
import Bull, { type Queue } from 'bull';
import type { Redis } from 'ioredis';
import type { RedisFactory, RedisKeys } from './redis';

export interface QueueSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  drainDelayS: number;
}

export class TaskQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly blocking = new Map<string, Redis>();
  private client: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(private readonly factory: RedisFactory, private readonly keys: RedisKeys, private readonly settings: QueueSettings) {}

  get(workerId: string): Queue {
    let q = this.queues.get(workerId);
    if (!q) {
      q = new Bull(workerId, {
        prefix: this.keys.bullPrefix,
        createClient: (type) => this.clientFor(type, workerId) as never,
        settings: {
          lockDuration: this.settings.lockDurationMs,
          lockRenewTime: Math.floor(this.settings.lockDurationMs / 2),
          stalledInterval: this.settings.stalledIntervalMs,
          maxStalledCount: this.settings.maxStalledCount,
          drainDelay: this.settings.drainDelayS,
        },
      });
      this.queues.set(workerId, q);
    }
    return q;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  private clientFor(type: 'client' | 'subscriber' | 'bclient', workerId: string): Redis {
    // Shared by every queue, and each queue adds its own listeners to it.
    if (type === 'client') return (this.client ??= this.factory.create('queue').setMaxListeners(0));
    if (type === 'subscriber') return (this.subscriber ??= this.factory.create('queue-sub', { blocking: true }).setMaxListeners(0));
    const c = this.factory.create(`bclient:${workerId}`, { blocking: true });
    this.blocking.set(workerId, c);
    return c;
  }

  async counts(workerId: string): Promise<Record<string, number>> {
    const c = await this.get(workerId).getJobCounts();
    return { ...c };
  }

  /** Closes every queue; `doNotWaitJobs` leaves active jobs to stall-recovery (used past the shutdown grace). */
  async close(doNotWaitJobs = false): Promise<void> {
    await Promise.all(this.all().map((q) => q.close(doNotWaitJobs).catch(() => undefined)));
    for (const c of this.blocking.values()) c.disconnect();
    this.blocking.clear();
    this.queues.clear();
  }
}
