/**
 * Processes online (GET /processes, like Sidekiq's "Busy" page): every API, worker and beat role writes an entry
 * into one Redis hash and its heartbeat time into a sorted set, every PROCESS_HEARTBEAT_MS. Readers drop entries
 * whose heartbeat is older than PROCESS_TTL_MS, so a process that died without saying goodbye disappears within
 * that time; a process that stops cleanly removes its entry at once.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';

export type ProcessRole = 'api' | 'worker' | 'beat';

/** What a role reports about itself at each heartbeat. */
export interface ProcessActivity {
  /** Queues (schedule workers) this process consumes. */
  queues?: string[];
  /** Listeners (websocket/stream workers) this process runs now. */
  listeners?: string[];
  /** Jobs running in this process now. */
  jobsRunning?: number;
  /** Role-specific facts (a beat says whether it is the leader). */
  extra?: Record<string, unknown>;
}

export interface ProcessInfo extends Required<Omit<ProcessActivity, 'extra'>> {
  id: string;
  role: ProcessRole;
  host: string;
  pid: number;
  version: string;
  startedAt: string;
  lastHeartbeatAt: string;
  extra: Record<string, unknown>;
}

/** The settings behind a heartbeat, with its error report. */
export function heartbeatOptions(settings: { PROCESS_HEARTBEAT_MS: number; PROCESS_TTL_MS: number }, onError: (err: unknown) => void): HeartbeatOptions {
  return { intervalMs: settings.PROCESS_HEARTBEAT_MS, ttlMs: settings.PROCESS_TTL_MS, onError };
}

export function processKeys(keys: RedisKeys): { info: string; seen: string } {
  return { info: `${keys.prefix}processes`, seen: `${keys.prefix}processes:seen` };
}

function readVersion(): string {
  try {
    // The product's version (package.json at the project root, from the source tree or dist/).
    return String((require('../../../package.json') as { version?: string }).version ?? 'unknown');
  } catch {
    try {
      return String((require('../../../../package.json') as { version?: string }).version ?? 'unknown');
    } catch {
      return 'unknown';
    }
  }
}

const VERSION = readVersion();

export interface HeartbeatOptions {
  intervalMs: number;
  ttlMs: number;
  onError: (err: unknown) => void;
}

export class ProcessHeartbeat {
  readonly id: string;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | null = null;
  private readonly k: { info: string; seen: string };

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    private readonly role: ProcessRole,
    private readonly activity: () => ProcessActivity,
    private readonly opts: HeartbeatOptions,
  ) {
    this.id = `${os.hostname()}:${process.pid}:${role}:${randomBytes(3).toString('hex')}`;
    this.k = processKeys(keys);
  }

  /** Writes the first heartbeat (awaited, so the process is listed once its role has started), then repeats. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      // The process closed its connections without stopping its role (tests, benches): nothing left to report.
      if (this.redis.status === 'end') return void this.stop(false);
      void this.beat().catch(this.opts.onError);
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    const a = this.activity();
    const now = Date.now();
    const info: ProcessInfo = {
      id: this.id, role: this.role, host: os.hostname(), pid: process.pid, version: VERSION, startedAt: this.startedAt,
      lastHeartbeatAt: new Date(now).toISOString(), queues: a.queues ?? [], listeners: a.listeners ?? [], jobsRunning: a.jobsRunning ?? 0,
      extra: a.extra ?? {},
    };
    await this.redis.multi().hset(this.k.info, this.id, JSON.stringify(info)).zadd(this.k.seen, now, this.id).exec();
  }

  /** Stops heartbeating; `remove` (a clean stop) takes the entry off the list at once. */
  async stop(remove = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (remove) await this.redis.multi().hdel(this.k.info, this.id).zrem(this.k.seen, this.id).exec();
  }
}

/** Every process that heartbeated within `ttlMs`, by role then host and pid; older entries are removed. */
export async function listProcesses(redis: Redis, keys: RedisKeys, ttlMs: number, now = Date.now()): Promise<ProcessInfo[]> {
  const k = processKeys(keys);
  const stale = await redis.zrangebyscore(k.seen, '-inf', `(${now - ttlMs}`);
  if (stale.length) await redis.multi().zrem(k.seen, ...stale).hdel(k.info, ...stale).exec();
  const live = await redis.zrangebyscore(k.seen, now - ttlMs, '+inf');
  if (!live.length) return [];
  const values = await redis.hmget(k.info, ...live);
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => JSON.parse(v) as ProcessInfo)
    .sort((a, b) => a.role.localeCompare(b.role) || a.host.localeCompare(b.host) || a.pid - b.pid || a.id.localeCompare(b.id));
}
