/**
 * What the API shows of a worker: its registry row (Redis copy of the `workers` table, MySQL as fallback),
 * live state from Redis, next fire time and last execution. One Redis pipeline and one MySQL query per call.
 */
import { readJson } from '../../database/connection';
import type { Redis } from 'ioredis';
import { nextFire } from '../../registry/cron';
import type { WorkerRegistry } from '../../registry/worker-registry';
import { findKind } from '../../kinds';
import type { StateMirror, WorkerRecord } from '../../services/state-mirror';
import type { RedisKeys } from '../../services/redis';
import type { ExecutionQueries, ExecutionView } from './executions.query';

export interface WorkerView extends WorkerRecord {
  /** Live state: idle | running for schedule workers; connected | reconnecting | stopped | disabled for listeners. */
  state: string;
  runningExecutionIds: string[];
  progress: unknown;
  nextFireAt: string | null;
  beatNextFireAt: string | null;
  lastExecution: ExecutionView | null;
  live: Record<string, string>;
  /** Kind-specific figures (a stream's pending, lag and counters); absent for kinds that have none. */
  details?: Record<string, unknown>;
}

function detailsOf(kind: string, live: Record<string, string>): { details?: Record<string, unknown> } {
  const details = findKind(kind)?.details?.(live);
  return details ? { details } : {};
}

export interface WorkerViewDeps {
  redis: Redis;
  keys: RedisKeys;
  registry: WorkerRegistry;
  mirror: StateMirror;
  executions: ExecutionQueries;
  defaultTimezone: string;
}

interface LiveParts {
  record: WorkerRecord | null;
  live: Record<string, string>;
  beatNext: string | null;
  running: string[];
}

// Parsing a cron costs ~0.2 ms: the next fire of a (cron, timezone) is reused until that instant has passed.
const nextFireCache = new Map<string, { at: number; iso: string }>();
const NEXT_FIRE_CACHE_MAX = 10_000;

/** Next fire from the durable row; null for on-demand, disabled or listener workers (or a cron that no longer parses). */
export function nextFireOf(record: WorkerRecord, defaultTimezone: string, now = new Date()): string | null {
  if (record.kind !== 'schedule' || !record.enabled || !record.cron) return null;
  const tz = record.timezone ?? defaultTimezone;
  const key = `${record.cron}\u0000${tz}`;
  const hit = nextFireCache.get(key);
  if (hit && hit.at > now.getTime()) return hit.iso;
  try {
    const at = nextFire(record.cron, tz, now);
    if (nextFireCache.size >= NEXT_FIRE_CACHE_MAX) nextFireCache.clear();
    nextFireCache.set(key, { at: at.getTime(), iso: at.toISOString() });
    return at.toISOString();
  } catch {
    return null;
  }
}

export class WorkerViews {
  constructor(private readonly d: WorkerViewDeps) {}

  /** Ids this API process knows (its own discovered registry), sorted. */
  ids(): string[] {
    return [...this.d.registry.workers.keys()].sort();
  }

  has(id: string): boolean {
    return this.d.registry.workers.has(id);
  }

  async one(id: string): Promise<WorkerView | null> {
    if (!this.has(id)) return null;
    const [view] = await this.many([id]);
    return view ?? null;
  }

  async many(ids: string[]): Promise<WorkerView[]> {
    if (!ids.length) return [];
    const parts = await this.liveParts(ids);
    const missing = ids.filter((id) => !parts.get(id)?.record);
    if (missing.length) for (const r of await this.d.mirror.loadWorkers(missing)) parts.get(r.id)!.record = r;
    const lastIds = [...parts.values()].map((p) => p.live.last_execution_id).filter((x): x is string => Boolean(x));
    const last = await this.d.executions.many(lastIds);
    const now = new Date();
    return ids.flatMap((id) => {
      const p = parts.get(id)!;
      if (!p.record) return [];
      return [{
        ...p.record,
        state: p.live.state || (findKind(p.record.kind)?.idleState ?? 'stopped'),
        runningExecutionIds: p.running,
        progress: readJson(p.live.progress || null),
        nextFireAt: nextFireOf(p.record, this.d.defaultTimezone, now),
        beatNextFireAt: p.beatNext,
        lastExecution: (p.live.last_execution_id && last.get(p.live.last_execution_id)) || null,
        live: p.live,
        ...detailsOf(p.record.kind, p.live),
      }];
    });
  }

  /** Running executions of a worker: the live lease set, plus the live hash's current execution. */
  async running(id: string): Promise<string[]> {
    return (await this.liveParts([id])).get(id)!.running;
  }

  private async liveParts(ids: string[]): Promise<Map<string, LiveParts>> {
    const { redis, keys } = this.d;
    const now = Date.now();
    const pipe = redis.pipeline().hmget(keys.registry, ...ids);
    for (const id of ids) pipe.hgetall(keys.state(id)).get(keys.nextFire(id)).zrangebyscore(keys.overlap(id), now, '+inf');
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const records = res[0][1] as Array<string | null>;
    const out = new Map<string, LiveParts>();
    ids.forEach((id, i) => {
      const live = (res[1 + i * 3][1] as Record<string, string>) ?? {};
      const running = new Set(res[3 + i * 3][1] as string[]);
      if (live.state === 'running' && live.execution_id) running.add(live.execution_id);
      out.set(id, {
        record: records[i] ? (JSON.parse(records[i]!) as WorkerRecord) : null,
        live, beatNext: (res[2 + i * 3][1] as string | null) ?? null, running: [...running],
      });
    });
    return out;
  }
}
