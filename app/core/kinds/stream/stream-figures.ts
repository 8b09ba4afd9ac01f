/**
 * Keeps a stream worker's group figures (consumers, pending, lag, length) current in its live hash for as long as
 * the worker process runs — consuming or not, so a stopped or disabled stream still shows its backlog — and
 * announces changes as `stream.state` events. Also prunes consumers left behind by dead processes.
 */
import type winston from 'winston';
import type { Redis } from 'ioredis';
import type { EventBus } from '../../services/events';
import { errorText } from '../../services/failure';
import type { StreamDefinition } from './stream.definition';
import { groupFigures, pruneConsumers, type StreamKeys } from './stream.redis';

export interface FiguresDeps {
  redis: Redis;
  events: EventBus;
  logger: winston.Logger;
  intervalMs: number;
  pruneIdleMs: number;
  /** This process' consumer name (never pruned). */
  consumer: string;
}

export class StreamFigures {
  private timer: NodeJS.Timeout | null = null;
  private last = '';

  constructor(private readonly def: StreamDefinition, private readonly keys: StreamKeys, private readonly deps: FiguresDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh(): Promise<void> {
    const { redis, events } = this.deps;
    try {
      const figures = await groupFigures(redis, this.keys.stream, this.def.group);
      if (!figures) return;
      await redis.hset(this.keys.state, { consumers: figures.consumers, pending: figures.pending, lag: figures.lag ?? '', length: figures.length });
      const state = (await redis.hget(this.keys.state, 'state')) ?? 'stopped';
      const snapshot = JSON.stringify({ state, ...figures });
      if (snapshot !== this.last) {
        this.last = snapshot;
        events.publish('stream.state', { workerId: this.def.id, state, ...figures });
      }
      await pruneConsumers(redis, this.keys.stream, this.def.group, this.deps.pruneIdleMs, this.deps.consumer);
    } catch (err) {
      this.deps.logger.warn(`stream ${this.def.id}: could not read the group's figures: ${errorText(err)}`, { workerId: this.def.id, stored: false });
    }
  }
}
