/**
 * Typed settings: the two lowest rungs of the config chain (process.env, then the default written here).
 * Plugins add their own settings with `defineSettings()` so no core file is edited to register them.
 */

export type SettingType = 'string' | 'int' | 'number' | 'bool' | 'json';

export interface SettingDefinition<T = unknown> {
  type: SettingType;
  default: T;
  /** One line shown in `.env.example` and in the effective-config view. */
  description: string;
  /** Masked in every view when true (keys ending in _SECRET/_TOKEN(S)/_PASSWORD/_KEY are masked anyway). */
  secret?: boolean;
}

const coreSettings = {
  DATABASE_URL: { type: 'string', default: 'mysql://root@127.0.0.1:3306/sluice', description: 'Core MySQL database (workers, configs, executions, logs).', secret: true },
  REDIS_URL: { type: 'string', default: 'redis://127.0.0.1:6379', description: 'Redis for queues, live state, leases and events. Must run with maxmemory-policy noeviction.', secret: true },
  REDIS_PREFIX: { type: 'string', default: 'sluice:', description: 'Prefix of every Redis key this deployment owns.' },
  MONGO_URL: { type: 'string', default: '', description: 'MongoDB for plugin data; empty = in-memory test server in dev mode (data not kept).', secret: true },
  API_HOST: { type: 'string', default: '0.0.0.0', description: 'Address the API listens on.' },
  API_PORT: { type: 'int', default: 8686, description: 'Port of the API (Swagger UI at /docs).' },
  API_TOKENS: { type: 'string', default: '', description: 'Comma list of name:role:token (role read|admin) accepted as Bearer tokens.', secret: true },
  API_BODY_LIMIT_BYTES: { type: 'int', default: 1_048_576, description: 'Largest request body the API accepts (413 above).' },
  API_RATE_LIMIT_MAX: { type: 'int', default: 1_000, description: 'Requests one client address may make per API_RATE_LIMIT_WINDOW_MS to authenticated routes (429 above).' },
  API_RATE_LIMIT_WINDOW_MS: { type: 'int', default: 60_000, description: 'Window of the API rate limit; counters live in Redis, shared by every API process.' },
  PUBLIC_RATE_LIMIT_MAX: { type: 'int', default: 600, description: "Requests one client address may make per PUBLIC_RATE_LIMIT_WINDOW_MS to plugins' public routes (webhooks; 429 above)." },
  PUBLIC_RATE_LIMIT_WINDOW_MS: { type: 'int', default: 60_000, description: 'Window of the public-route rate limit; counters in Redis, apart from the authenticated routes\' ones.' },
  API_TRUST_PROXY: { type: 'string', default: '', description: "Proxies whose X-Forwarded-For is believed (client address for rate limits): '' = none, 'true' = any, a hop count, or a comma list of addresses/CIDRs." },
  API_CORS_ORIGINS: { type: 'string', default: '', description: 'Comma list of origins allowed to call the API from a browser (CORS); empty = CORS off.' },
  API_PAGE_SIZE: { type: 'int', default: 50, description: 'Items per page of list routes when ?limit is not given.' },
  API_PAGE_MAX: { type: 'int', default: 500, description: 'Largest ?limit a list route accepts.' },
  API_WS_HEARTBEAT_MS: { type: 'int', default: 30_000, description: 'How often /ws clients are pinged; one that missed the previous pong is dropped.' },
  API_WS_MAX_BUFFERED_BYTES: { type: 'int', default: 1_048_576, description: 'Bytes a /ws client may leave unread before it is dropped as too slow.' },
  DEFAULT_TIMEZONE: { type: 'string', default: 'Asia/Ho_Chi_Minh', description: 'Timezone of schedules that declare none.' },
  DB_AUTO_MIGRATE: { type: 'bool', default: true, description: 'Apply pending core migrations at boot.' },
  DB_POOL_SIZE: { type: 'int', default: 10, description: 'Connections in the core MySQL pool per process.' },
  LOG_LEVEL: { type: 'string', default: 'info', description: 'Lowest level logged (error|warn|info|debug).' },
  LOG_DIR: { type: 'string', default: '', description: 'Directory of daily-rotated log files; empty = console only.' },
  LOG_FORMAT: { type: 'string', default: 'pretty', description: 'Console format: pretty or json.' },
  LOG_RETENTION_DAYS: { type: 'int', default: 14, description: 'Days of rotated log files kept in LOG_DIR.' },
  LOG_QUEUE_MAX: { type: 'int', default: 200_000, description: 'Log records held in memory while MySQL is slow or down; the oldest are dropped above it.' },
  LOG_FLUSH_BATCH: { type: 'int', default: 2_000, description: 'Records per multi-row insert into execution_logs (a flush starts once this many wait).' },
  LOG_FLUSH_CONCURRENCY: { type: 'int', default: 2, description: 'Log batches written at once (2 lets MySQL insert one while the next is built; read logs ordered by ts, id).' },
  LOG_FLUSH_INTERVAL_MS: { type: 'int', default: 200, description: 'Longest a log record waits before it is flushed.' },
  LOG_DROP_REPORT_INTERVAL_MS: { type: 'int', default: 10_000, description: 'How often dropped log records are reported (once per interval).' },
  EXECUTION_QUEUE_MAX: { type: 'int', default: 500_000, description: 'Execution/status row writes held in memory while MySQL is down.' },
  EXECUTION_FLUSH_BATCH: { type: 'int', default: 500, description: 'Execution rows per multi-row upsert.' },
  EXECUTION_FLUSH_CONCURRENCY: { type: 'int', default: 4, description: 'Execution-row batches written at once (rows carry an ownership fence and revision, so batches may land in any order).' },
  EXECUTION_FLUSH_INTERVAL_MS: { type: 'int', default: 100, description: 'Longest an execution row change waits before it is written.' },
  LIVE_FLUSH_INTERVAL_MS: { type: 'int', default: 10, description: 'Shortest time between two writes of run starts/ends to the live state in Redis (they are grouped; 0 = every tick).' },
  WORKERS_DIR: { type: 'string', default: 'workers', description: 'Directory scanned for *.worker.ts / *.worker.js at boot (relative to the project root).' },
  SHUTDOWN_GRACE_MS: { type: 'int', default: 30_000, description: 'On SIGTERM, how long running jobs may take to finish before they are aborted.' },
  JOB_TIMEOUT_MS: { type: 'int', default: 3_600_000, description: 'Default timeoutMs of a schedule worker (no run is unbounded).' },
  JOB_ATTEMPTS: { type: 'int', default: 1, description: 'Default attempts of a schedule worker (1 = no retry).' },
  JOB_BACKOFF_MS: { type: 'int', default: 1_000, description: 'Default first retry delay (exponential backoff).' },
  JOB_KEEP_COMPLETED: { type: 'int', default: 1_000, description: 'Completed Bull jobs kept per queue (MySQL keeps the history).' },
  JOB_KEEP_FAILED: { type: 'int', default: 5_000, description: 'Failed Bull jobs kept per queue.' },
  ENQUEUE_BULK_CHUNK: { type: 'int', default: 5_000, description: 'Jobs per Bull addBulk (one Redis MULTI) of an enqueueMany call; longer calls are sent in several.' },
  PLUGIN_HOOK_TIMEOUT_MS: { type: 'int', default: 60_000, description: "Longest a plugin's lifecycle hook (hooks.ts onWorkerBoot/onWorkerShutdown/onApiBoot) may take; a boot hook past it fails the boot." },
  QUEUE_LOCK_DURATION_MS: { type: 'int', default: 30_000, description: 'Bull job lock; a worker that does not renew it in time loses the job.' },
  QUEUE_STALLED_INTERVAL_MS: { type: 'int', default: 30_000, description: 'How often stalled jobs (crashed workers) are moved back to the queue.' },
  QUEUE_MAX_STALLED_COUNT: { type: 'int', default: 1, description: 'Times a job may stall before it is failed.' },
  QUEUE_DRAIN_DELAY_S: { type: 'int', default: 5, description: 'Seconds a worker blocks waiting for a job before it polls again.' },
  OVERLAP_POLL_MS: { type: 'int', default: 200, description: "How often a job with overlap 'queue' checks whether the previous run finished." },
  CONFIG_CACHE_TTL_MS: { type: 'int', default: 30_000, description: 'Safety reload of the config cache (changes through the API invalidate it at once).' },
  BEAT_LEASE_MS: { type: 'int', default: 6_000, description: 'Beat leader lease; a standby beat takes over within about this long (+ a third of it) after the leader dies.' },
  LISTENER_LEASE_MS: { type: 'int', default: 10_000, description: 'Lease of a singleton listener; another worker process takes it over within about this long after its holder dies.' },
} satisfies Record<string, SettingDefinition>;

export type CoreSettings = typeof coreSettings;
export type CoreSettingKey = keyof CoreSettings;
type ValueOf<D> = D extends { type: 'int' | 'number' } ? number : D extends { type: 'bool' } ? boolean : D extends { type: 'string' } ? string : unknown;
export type SettingValues = { [K in CoreSettingKey]: ValueOf<CoreSettings[K]> };

const registry = new Map<string, SettingDefinition>(Object.entries(coreSettings) as [string, SettingDefinition][]);

/** Registers settings of a plugin (name → type, default, description). Re-declaring a name with another type throws. */
export function defineSettings(defs: Record<string, SettingDefinition>): void {
  for (const [key, def] of Object.entries(defs)) {
    const existing = registry.get(key);
    if (existing && existing.type !== def.type) {
      throw new Error(`Setting ${key} is already declared with type ${existing.type}; cannot redeclare it as ${def.type}`);
    }
    registry.set(key, def);
  }
}

export function settingDefinitions(): ReadonlyMap<string, SettingDefinition> {
  return registry;
}

/** Parses an env string by the setting's type; throws naming the key when it does not parse. */
export function parseSetting(key: string, raw: string, type: SettingType): unknown {
  switch (type) {
    case 'string':
      return raw;
    case 'int':
    case 'number': {
      const n = Number(raw.replace(/_/g, ''));
      if (raw.trim() === '' || !Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) {
        throw new Error(`Setting ${key}=${JSON.stringify(raw)} is not a valid ${type}`);
      }
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new Error(`Setting ${key}=${JSON.stringify(raw)} is not a boolean (true/false)`);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new Error(`Setting ${key} is not valid JSON`);
      }
  }
}

/** Value of a registered setting from env (when set) or its default. Unknown keys return undefined. */
export function envOrDefault(key: string, env: NodeJS.ProcessEnv = process.env): { value: unknown; source: 'env' | 'default' } | undefined {
  const def = registry.get(key);
  const raw = env[key];
  if (raw !== undefined && raw !== '' ) return { value: def ? parseSetting(key, raw, def.type) : raw, source: 'env' };
  if (!def) return undefined;
  return { value: def.default, source: 'default' };
}

/** Snapshot of every core setting from env and defaults, validated at boot. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): SettingValues {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(coreSettings)) out[key] = envOrDefault(key, env)?.value;
  return out as SettingValues;
}

const SECRET_KEY = /(_SECRET|_TOKENS?|_PASSWORD|_KEY)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || registry.get(key)?.secret === true;
}
