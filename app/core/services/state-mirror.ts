/**
 * MySQL ⇄ Redis: the registry seeded into `workers`, the durable state copied into Redis at boot, and the live
 * per-worker state hash kept current while processes run. Redis is the fast read path, MySQL the record.
 */
import path from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type { WorkerRegistry } from '../registry/worker-registry';
import { kindOf } from '../kinds';
import { readJson } from '../database/connection';
import type { EventBus } from './events';
import type { RedisKeys } from './redis';

export interface WorkerRecord {
  id: string;
  kind: string;
  description: string;
  cron: string | null;
  timezone: string | null;
  enabled: boolean;
  sourceFile: string;
  options: Record<string, unknown>;
  createdAt: Date;
}

const SEED_SQL = `INSERT INTO workers (id, kind, description, cron, timezone, enabled, code_cron, code_timezone, code_enabled, source_file, options, updated_at)
 VALUES ? ON DUPLICATE KEY UPDATE
 cron = IF(code_cron <=> VALUES(code_cron), cron, VALUES(cron)),
 timezone = IF(code_timezone <=> VALUES(code_timezone), timezone, VALUES(timezone)),
 enabled = IF(code_enabled <=> VALUES(code_enabled), enabled, VALUES(enabled)),
 code_cron = VALUES(code_cron), code_timezone = VALUES(code_timezone), code_enabled = VALUES(code_enabled),
 kind = VALUES(kind), description = VALUES(description), source_file = VALUES(source_file), options = VALUES(options), updated_at = VALUES(updated_at)`;

export class StateMirror {
  constructor(private readonly pool: Pool, private readonly redis: Redis, private readonly keys: RedisKeys, private readonly events: EventBus) {}

  /**
   * Upserts one row per declared worker. A value changed at runtime (API) survives a restart until the code's own
   * value changes, which then wins: the code_* columns remember what the code said last time.
   */
  async seedRegistry(registry: WorkerRegistry): Promise<void> {
    const now = new Date();
    const rows = [...registry.workers.values()].map((def) => {
      const kind = kindOf(def);
      const { cron, timezone: tz } = kind.columns?.(def) ?? { cron: null, timezone: null };
      return [def.id, def.kind, def.description, cron, tz, def.enabled, cron, tz, def.enabled, path.relative(process.cwd(), def.file), JSON.stringify(kind.describe(def)), now];
    });
    if (rows.length) await this.pool.query(SEED_SQL, [rows]);
  }

  async loadWorkers(ids?: string[]): Promise<WorkerRecord[]> {
    const [rows] = ids?.length
      ? await this.pool.query<RowDataPacket[]>('SELECT * FROM workers WHERE id IN (?)', [ids])
      : await this.pool.query<RowDataPacket[]>('SELECT * FROM workers');
    return rows.map((r) => ({
      id: r.id, kind: r.kind, description: r.description ?? '', cron: r.cron, timezone: r.timezone, enabled: Boolean(r.enabled),
      sourceFile: r.source_file, options: readJson<Record<string, unknown>>(r.options) ?? {}, createdAt: new Date(r.created_at),
    }));
  }

  /** Copies the registry rows and the durable worker_status of the given workers into Redis. */
  async syncDbToRedis(registry: WorkerRegistry): Promise<void> {
    const ids = [...registry.workers.keys()];
    if (!ids.length) return;
    const workers = await this.loadWorkers(ids);
    const [status] = await this.pool.query<RowDataPacket[]>('SELECT * FROM worker_status WHERE worker_id IN (?)', [ids]);
    const byId = new Map(status.map((s) => [s.worker_id as string, s]));
    const multi = this.redis.multi();
    for (const w of workers) {
      multi.hset(this.keys.registry, w.id, JSON.stringify(w));
      const s = byId.get(w.id);
      // 'running' in MySQL is only true while a live lease says so (a crashed process leaves it behind).
      const running = s?.state === 'running' && (await this.redis.zcount(this.keys.overlap(w.id), Date.now(), '+inf')) > 0;
      const fields: Record<string, string> = {
        enabled: String(w.enabled),
        state: running ? 'running' : s && s.state !== 'running' ? s.state : 'idle',
        execution_id: running ? s?.last_execution_id ?? '' : '',
        last_execution_id: s?.last_execution_id ?? '',
        last_result: s?.last_result ? (typeof s.last_result === 'string' ? s.last_result : JSON.stringify(s.last_result)) : '',
        last_error: s?.last_error ?? '',
        last_started_at: s?.last_started_at ? new Date(s.last_started_at).toISOString() : '',
        last_finished_at: s?.last_finished_at ? new Date(s.last_finished_at).toISOString() : '',
        consecutive_failures: String(s?.consecutive_failures ?? 0),
        updated_at: new Date().toISOString(),
      };
      multi.hset(this.keys.state(w.id), fields);
    }
    await multi.exec();
  }

  /**
   * Clears this deployment's runtime keys at worker boot: live state of workers that are no longer declared is
   * removed; the state of declared workers is then overwritten from MySQL by `syncDbToRedis` (deleting it first
   * would leave a window in which running processes read no `enabled` flag). Queues and leases are kept.
   */
  async clearRuntimeKeys(registry: WorkerRegistry): Promise<number> {
    let removed = 0;
    let cursor = '0';
    const statePrefix = this.keys.state('');
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', this.keys.statePattern, 'COUNT', 500);
      cursor = next;
      const stale = batch.filter((k) => !registry.workers.has(k.slice(statePrefix.length)));
      if (stale.length) removed += await this.redis.unlink(...stale);
    } while (cursor !== '0');
    const known = await this.redis.hkeys(this.keys.registry);
    const gone = known.filter((id) => !registry.workers.has(id));
    if (gone.length) await this.redis.hdel(this.keys.registry, ...gone);
    return removed;
  }

  /** Updates the live state hash and announces it. */
  async setLiveState(workerId: string, fields: Record<string, string | number>): Promise<void> {
    const values: Record<string, string> = { updated_at: new Date().toISOString() };
    for (const [k, v] of Object.entries(fields)) values[k] = String(v);
    await this.redis.hset(this.keys.state(workerId), values);
    if (fields.state !== undefined) this.events.publish('worker.state', { workerId, state: String(fields.state), executionId: (fields.execution_id as string) || null });
  }

  async liveState(workerId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.state(workerId));
  }

  /** Durable enable/disable (the API and beat use it). */
  async setEnabled(workerId: string, enabled: boolean): Promise<boolean> {
    const [res] = await this.pool.query('UPDATE workers SET enabled = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [enabled, workerId]);
    if ((res as { affectedRows: number }).affectedRows === 0) return false;
    await this.refreshRegistryEntry(workerId);
    await this.setLiveState(workerId, { enabled: String(enabled) });
    this.events.publish('schedule.changed', { workerId });
    return true;
  }

  /** Durable cron/timezone change (validated by the caller). */
  async setSchedule(workerId: string, cron: string | null, timezone: string): Promise<boolean> {
    const [res] = await this.pool.query('UPDATE workers SET cron = ?, timezone = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [cron, timezone, workerId]);
    if ((res as { affectedRows: number }).affectedRows === 0) return false;
    await this.refreshRegistryEntry(workerId);
    this.events.publish('schedule.changed', { workerId });
    return true;
  }

  private async refreshRegistryEntry(workerId: string): Promise<void> {
    const [w] = await this.loadWorkers([workerId]);
    if (w) await this.redis.hset(this.keys.registry, w.id, JSON.stringify(w));
  }
}
