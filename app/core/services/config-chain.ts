/**
 * The config priority chain (SPEC §3): worker row → global row → process.env → typed default.
 * Rows are cached per process; a change made through `set`/`remove` is announced on Redis and every process
 * reloads at once (plus a safety reload every CONFIG_CACHE_TTL_MS in case a message was missed).
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import { envOrDefault, isSecretKey, settingDefinitions } from '../../config/settings';
import { readJson } from '../database/connection';
import { DepthLimitError, depthExceeds, maskSecretValue, type Redactor } from './redact';
import type { EventBus } from './events';

export type ConfigSource = 'worker' | 'global' | 'env' | 'default';

export interface EffectiveConfigEntry {
  key: string;
  value: unknown;
  source: ConfigSource;
  secret: boolean;
}

interface Rows {
  global: Map<string, unknown>;
  perWorker: Map<string, Map<string, unknown>>;
}

export class ConfigChain {
  private rows: Rows = { global: new Map(), perWorker: new Map() };
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private version = 0;
  private readonly listeners = new Set<(change: { workerId: string | null; key: string | null }) => void>();

  constructor(
    private readonly pool: Pool,
    private readonly opts: {
      ttlMs: number; channel: string; publisher: Redis; events?: EventBus; env?: NodeJS.ProcessEnv; onError?: (err: unknown) => void;
      /** Learns every value read under a secret-looking key, so log lines and stored texts mask it. */
      redactor?: Redactor;
    },
  ) {}

  /** Secret env/default values already handed to the redactor (env does not change while the process runs). */
  private readonly learned = new Set<string>();

  /** Loads every row; called at boot and on invalidation. */
  async load(): Promise<void> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT worker_id, `key`, value FROM worker_configs');
    const next: Rows = { global: new Map(), perWorker: new Map() };
    for (const r of rows) {
      const value = readJson(r.value);
      if (this.opts.redactor && isSecretKey(r.key)) this.opts.redactor.addSecret(value);
      if (r.worker_id === null) next.global.set(r.key, value);
      else {
        let m = next.perWorker.get(r.worker_id);
        if (!m) next.perWorker.set(r.worker_id, (m = new Map()));
        m.set(r.key, value);
      }
    }
    this.rows = next;
    this.loadedAt = Date.now();
    this.version++;
  }

  /** Subscribes this process to invalidations; `sub` must be a dedicated subscriber connection. */
  async listen(sub: Redis): Promise<void> {
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.opts.channel) return;
      void this.reload().then(() => {
        let change: { workerId: string | null; key: string | null } = { workerId: null, key: null };
        try {
          change = JSON.parse(message);
        } catch { /* a bare invalidation */ }
        for (const l of this.listeners) {
          try {
            l(change);
          } catch (err) {
            this.opts.onError?.(err);
          }
        }
      });
    });
    // After a Redis reconnect a message may have been missed: reload then.
    sub.on('ready', () => void this.reload());
    await sub.subscribe(this.opts.channel);
  }

  onChange(listener: (change: { workerId: string | null; key: string | null }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reloads the rows. An invalidation that arrives while a load is in flight schedules one more load after it:
   * the running load may have read the table before the change was committed.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        // The cache keeps serving the last rows; the next invalidation or TTL tick tries again.
        await this.load().catch((err: unknown) => this.opts.onError?.(err));
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /** Resolves a key for a worker (or globally when workerId is null). */
  resolve(key: string, workerId: string | null = null): { value: unknown; source: ConfigSource } | undefined {
    if (Date.now() - this.loadedAt > this.opts.ttlMs) void this.reload();
    if (workerId) {
      const own = this.rows.perWorker.get(workerId);
      if (own?.has(key)) return { value: own.get(key), source: 'worker' };
    }
    if (this.rows.global.has(key)) return { value: this.rows.global.get(key), source: 'global' };
    const fallback = envOrDefault(key, this.opts.env);
    if (fallback && this.opts.redactor && !this.learned.has(key)) {
      this.learned.add(key);
      if (isSecretKey(key)) this.opts.redactor.addSecret(fallback.value);
    }
    return fallback;
  }

  get<T = unknown>(key: string, workerId: string | null = null): T {
    return this.resolve(key, workerId)?.value as T;
  }

  /** A reader bound to one worker, for `ctx.config`. */
  forWorker(workerId: string): { get<T = unknown>(key: string): T } {
    return { get: <T>(key: string) => this.get<T>(key, workerId) };
  }

  /** Every effective key of a worker (or the global view) with its source; secret values masked. */
  effective(workerId: string | null = null): EffectiveConfigEntry[] {
    const keys = new Set<string>([...settingDefinitions().keys(), ...this.rows.global.keys(), ...(workerId ? this.rows.perWorker.get(workerId)?.keys() ?? [] : [])]);
    const out: EffectiveConfigEntry[] = [];
    for (const key of [...keys].sort()) {
      const r = this.resolve(key, workerId);
      if (!r) continue;
      const secret = isSecretKey(key);
      out.push({ key, value: secret ? maskSecretValue(r.value) : r.value, source: r.source, secret });
    }
    return out;
  }

  /** Writes a row (worker or global), then announces it so every process reloads. */
  async set(key: string, value: unknown, workerId: string | null = null): Promise<void> {
    if (value === undefined) throw new Error('config value must not be undefined');
    const maxDepth = this.opts.redactor?.limits.maxDepth;
    if (maxDepth !== undefined && depthExceeds(value, maxDepth)) throw new DepthLimitError(`config value "${key}"`, maxDepth, 'body/value');
    await this.pool.query(
      'INSERT INTO worker_configs (worker_id, `key`, value, updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)',
      [workerId, key, JSON.stringify(value)],
    );
    await this.announce(workerId, key);
  }

  /** Deletes a row; returns whether one existed. */
  async remove(key: string, workerId: string | null = null): Promise<boolean> {
    const [res] = await this.pool.query(
      workerId === null ? 'DELETE FROM worker_configs WHERE worker_id IS NULL AND `key` = ?' : 'DELETE FROM worker_configs WHERE worker_id = ? AND `key` = ?',
      workerId === null ? [key] : [workerId, key],
    );
    const removed = (res as { affectedRows: number }).affectedRows > 0;
    if (removed) await this.announce(workerId, key);
    return removed;
  }

  private async announce(workerId: string | null, key: string): Promise<void> {
    await this.load();
    await this.opts.publisher.publish(this.opts.channel, JSON.stringify({ workerId, key }));
    this.opts.events?.publish('config.changed', { workerId, key });
  }
}
