/**
 * The intake stream's backlog: entries the consumer group has not acked yet (never delivered + pending). The stream
 * is trimmed to MAXLEN ~, so a backlog reaching the bound means pushes are about to be lost: /ready warns past
 * WEBHOOK_BACKLOG_WARN_RATIO of it and the API logs once per crossing (again after it fell back below).
 */
import type { Redis } from 'ioredis';
import type { RunLogger } from '../../app';

export interface BacklogReading {
  backlog: number;
  length: number;
  maxLen: number;
}

type GroupInfo = Array<string | number | null>;

/** `redis` is the plugin's prefixed client: XLEN gets the prefix from ioredis, XINFO does not (it takes the full key). */
export async function readBacklog(redis: Redis, key: string, group: string, maxLen: number): Promise<BacklogReading> {
  const length = await redis.xlen(key);
  const fullKey = `${redis.options.keyPrefix ?? ''}${key}`;
  if (!length) return { backlog: 0, length: 0, maxLen };
  const groups = (await redis.call('XINFO', 'GROUPS', fullKey)) as GroupInfo[];
  const info = groups.map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]]))).find((g) => g.name === group);
  // No group yet (the consumer never started) or an unknown lag (entries deleted): count the whole stream.
  if (!info || info.lag === null || info.lag === undefined) return { backlog: length, length, maxLen };
  return { backlog: Number(info.lag) + Number(info.pending), length, maxLen };
}

export class BacklogWatch {
  private warned = false;
  last: BacklogReading | null = null;

  constructor(private readonly read: () => Promise<BacklogReading>, private readonly ratio: number, private readonly log: RunLogger) {}

  /** Reads the backlog; logs once when it passes the ratio (and once when it is back under). */
  async check(): Promise<BacklogReading> {
    const r = (this.last = await this.read());
    const over = r.backlog >= r.maxLen * this.ratio;
    if (over && !this.warned) this.log.warn(`webhook backlog ${r.backlog} passed ${Math.round(this.ratio * 100)} % of the stream bound ${r.maxLen} (WEBHOOK_STREAM_MAXLEN): pushes beyond it are trimmed unprocessed; is the webhook-events consumer running?`, { backlog: r.backlog, maxLen: r.maxLen });
    if (!over && this.warned) this.log.info(`webhook backlog back under ${Math.round(this.ratio * 100)} % of the stream bound (${r.backlog} / ${r.maxLen})`);
    this.warned = over;
    return r;
  }

  warning(r: BacklogReading): string | undefined {
    return r.backlog >= r.maxLen * this.ratio ? `backlog ${r.backlog} is over ${Math.round(this.ratio * 100)} % of the stream bound ${r.maxLen}` : undefined;
  }
}
