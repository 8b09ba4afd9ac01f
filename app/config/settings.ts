/**
 * Typed settings: the two lowest rungs of the config chain (process.env, then the default written here).
 * Plugins add their own settings with `defineSettings()` so no core file is edited to register them.
 * Every value is checked against its type and range by a TypeBox schema built from its definition, so
 * `LOG_FLUSH_BATCH=0` fails the boot with a message naming the setting and the bound.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export type SettingType = 'string' | 'int' | 'number' | 'bool' | 'json';

export interface SettingDefinition<T = unknown> {
  type: SettingType;
  default: T;
  /** One line shown in `.env.example` and in the effective-config view. */
  description: string;
  /** Masked in every view when true (keys ending in _SECRET/_TOKEN(S)/_PASSWORD/_KEY are masked anyway). */
  secret?: boolean;
  /** Smallest accepted value (int, number). @defaultValue none for plugins; 1 for core ints unless CORE_RANGES says otherwise */
  min?: number;
  /** Largest accepted value (int, number). @defaultValue none */
  max?: number;
  /** The accepted values of a string setting. @defaultValue any string */
  oneOf?: readonly string[];
}

const coreSettings = {
  DATABASE_URL: { type: 'string', default: 'mysql://root@127.0.0.1:3306/sluice', description: 'Core MySQL database (workers, configs, executions, logs).', secret: true },
  REDIS_URL: { type: 'string', default: 'redis://127.0.0.1:6379', description: 'Redis for queues, live state, leases and events. Must run with maxmemory-policy noeviction.', secret: true },
  REDIS_PREFIX: { type: 'string', default: 'sluice:', description: 'Prefix of every Redis key this deployment owns.' },
  MONGO_URL: { type: 'string', default: '', description: 'MongoDB for plugin data; empty = in-memory test server in dev mode (data not kept).', secret: true },
  API_HOST: { type: 'string', default: '0.0.0.0', description: 'Address the API listens on (npm run dev: 127.0.0.1 unless set).' },
  API_PORT: { type: 'int', default: 8686, description: 'Port of the API (Swagger UI at /docs).' },
  API_TOKENS: { type: 'string', default: '', description: 'Comma list of name:role:token (role read|admin) accepted as Bearer tokens.', secret: true },
  API_BODY_LIMIT_BYTES: { type: 'int', default: 1_048_576, description: 'Largest request body the API accepts (413 above).' },
  API_MAX_PARAM_LENGTH: { type: 'int', default: 256, description: 'Longest path parameter the API accepts (414 above).' },
  API_RATE_LIMIT_MAX: { type: 'int', default: 1_000, description: 'Requests one client address may make per API_RATE_LIMIT_WINDOW_MS to authenticated routes (429 above).' },
  API_RATE_LIMIT_WINDOW_MS: { type: 'int', default: 60_000, description: 'Window of the API rate limit; counters live in Redis, shared by every API process.' },
  API_RATE_LIMIT_SYNC_MS: { type: 'int', default: 50, description: 'How often each API process adds its rate-limit counts to the shared Redis counters (requests are counted locally in between; across N processes a client may exceed a limit by what the others admit in one interval).' },
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
  VALUE_MAX_BYTES: { type: 'int', default: 32_768, description: 'Largest JSON of a result, params copy, progress, event field or log meta stored in MySQL/Redis or shown; larger values are replaced by a {"$capped":...} marker, texts (errors, log messages) cut at it (at most 60000 bytes).' },
  JOB_PARAMS_MAX_BYTES: { type: 'int', default: 1_048_576, description: 'Largest params of a job (refused with 400 / an error above): Bull keeps them whole for the worker.' },
  JSON_MAX_DEPTH: { type: 'int', default: 32, description: 'Deepest nesting accepted in request bodies, job params and config values (400 above); deeper parts of stored values are cut.' },
  SECRET_MASK_MIN_LENGTH: { type: 'int', default: 6, description: 'Shortest secret value (read through the config chain under a secret-looking key, or an API token) masked as *** in log lines and stored texts.' },
  EXECUTION_QUEUE_MAX: { type: 'int', default: 500_000, description: 'Execution/status row writes held in memory while MySQL is down.' },
  EXECUTION_FLUSH_BATCH: { type: 'int', default: 500, description: 'Execution rows per multi-row upsert.' },
  EXECUTION_FLUSH_CONCURRENCY: { type: 'int', default: 4, description: 'Execution-row batches written at once (rows carry an ownership fence and revision, so batches may land in any order).' },
  EXECUTION_FLUSH_INTERVAL_MS: { type: 'int', default: 100, description: 'Longest an execution row change waits before it is written.' },
  LIVE_FLUSH_INTERVAL_MS: { type: 'int', default: 10, description: 'Shortest time between two writes of run starts/ends to the live state in Redis (they are grouped; 0 = every tick).' },
  EXAMPLES_ENABLED: { type: 'bool', default: false, description: 'Load the example crawlers (workers/examples); npm run dev turns them on unless set.' },
  DEV_TOKEN_FILE: { type: 'string', default: 'var/dev-admin-token', description: 'Where npm run dev keeps its admin token across restarts when API_TOKENS is empty (git-ignored var/).' },
  WORKERS_DIR: { type: 'string', default: 'workers', description: 'Directory scanned for *.worker.ts / *.worker.js at boot (relative to the project root).' },
  SHUTDOWN_GRACE_MS: { type: 'int', default: 30_000, description: 'On SIGTERM, how long running jobs may take to finish before they are aborted (npm run dev: 3000 unless set).' },
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
  STREAM_BATCH_SIZE: { type: 'int', default: 100, description: 'Entries a @Stream consumer reads and hands to handle() at once, when the worker sets no batchSize.' },
  STREAM_BLOCK_MS: { type: 'int', default: 1_000, description: 'How long one XREADGROUP of a @Stream consumer waits for new entries.' },
  STREAM_CLAIM_IDLE_MS: { type: 'int', default: 60_000, description: 'A pending stream entry idle this long is taken over by a live consumer (dead consumer, or a failed entry due for another try).' },
  STREAM_MAX_DELIVERIES: { type: 'int', default: 5, description: 'Deliveries after which a failing stream entry moves to the dead-letter stream.' },
  STREAM_CONCURRENCY: { type: 'int', default: 1, description: 'Batches one worker process handles at once for a @Stream worker.' },
  STREAM_STATE_INTERVAL_MS: { type: 'int', default: 1_000, description: 'How often a stream consumer refreshes pending, lag and consumers (XINFO GROUPS) in the live state.' },
  STREAM_CONSUMER_PRUNE_MS: { type: 'int', default: 3_600_000, description: 'A group consumer with nothing pending and idle this long (its process is gone) is removed from the group.' },
  API_BULK_MAX: { type: 'int', default: 1_000, description: 'Most runs one bulk retry or delete of failed runs acts on (the answer says when more matched).' },
  API_WS_ORDER_HOLD_MS: { type: 'int', default: 2_000, description: "How long /ws holds a run's progress and plugin events while waiting for its execution.started (then sends them anyway)." },
  API_AUDIT_CHANGE_MAX_BYTES: { type: 'int', default: 16_384, description: 'Largest params+body JSON an audit row keeps per mutation (bigger changes are summarised).' },
  STATS_MAX_BUCKETS: { type: 'int', default: 2_000, description: 'Most time buckets GET /stats answers (from-to divided by step).' },
  STATS_SEAL_AFTER_MS: { type: 'int', default: 7_200_000, description: 'GET /stats rolls an hour up once it ended this long ago and no run of it is queued or running (rows landing later are not counted).' },
  STATS_SEAL_INTERVAL_MS: { type: 'int', default: 60_000, description: 'How often each API process rolls up the hours that became due (0 = only when GET /stats needs them).' },
  STATS_SEAL_LOOKBACK_HOURS: { type: 'int', default: 744, description: 'How far back the periodic rollup looks for hours not rolled up yet (older ones are rolled up when a request reaches them).' },
  EXECUTION_RETENTION_DAYS: { type: 'int', default: 30, description: 'Finished execution rows (and cron fire claims) older than this many days are deleted, once their hours are rolled up for GET /stats (0 = kept forever).' },
  EXECUTION_LOG_RETENTION_DAYS: { type: 'int', default: 14, description: 'Execution log lines older than this many days are deleted from MySQL (0 = kept forever).' },
  AUDIT_RETENTION_DAYS: { type: 'int', default: 365, description: 'Audit rows older than this many days are deleted (0 = kept forever).' },
  RETENTION_INTERVAL_MS: { type: 'int', default: 3_600_000, description: 'How often one API process of the deployment deletes history past its retention (0 = never).' },
  RETENTION_BATCH: { type: 'int', default: 5_000, description: 'Rows one retention DELETE removes at most (short statements keep locks and undo small).' },
  PROCESS_HEARTBEAT_MS: { type: 'int', default: 5_000, description: 'How often every API, worker and beat process refreshes its entry in GET /processes.' },
  PROCESS_TTL_MS: { type: 'int', default: 15_000, description: 'A process that has not heartbeated for this long is gone from GET /processes.' },
} satisfies Record<string, SettingDefinition>;

export type CoreSettings = typeof coreSettings;
export type CoreSettingKey = keyof CoreSettings;
type ValueOf<D> = D extends { type: 'int' | 'number' } ? number : D extends { type: 'bool' } ? boolean : D extends { type: 'string' } ? string : unknown;
export type SettingValues = { [K in CoreSettingKey]: ValueOf<CoreSettings[K]> };

/** Core ints are at least 1 (a batch of 0, a timeout of 0 are mistakes) unless they are listed here. */
const CORE_RANGES: Record<string, Pick<SettingDefinition, 'min' | 'max' | 'oneOf'>> = {
  API_PORT: { min: 0, max: 65_535 },
  API_MAX_PARAM_LENGTH: { min: 16 },
  LIVE_FLUSH_INTERVAL_MS: { min: 0 },
  STATS_SEAL_INTERVAL_MS: { min: 0 },
  EXECUTION_RETENTION_DAYS: { min: 0 },
  EXECUTION_LOG_RETENTION_DAYS: { min: 0 },
  AUDIT_RETENTION_DAYS: { min: 0 },
  RETENTION_INTERVAL_MS: { min: 0 },
  SHUTDOWN_GRACE_MS: { min: 0 },
  JOB_BACKOFF_MS: { min: 0 },
  JOB_KEEP_COMPLETED: { min: 0 },
  JOB_KEEP_FAILED: { min: 0 },
  QUEUE_MAX_STALLED_COUNT: { min: 0 },
  QUEUE_DRAIN_DELAY_S: { min: 0 },
  // The cap's marker and the params' own envelope need room; deeper than 1,000 levels is never data.
  VALUE_MAX_BYTES: { min: 1_024 },
  JOB_PARAMS_MAX_BYTES: { min: 1_024 },
  JSON_MAX_DEPTH: { min: 2, max: 1_000 },
  LOG_LEVEL: { oneOf: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] },
  LOG_FORMAT: { oneOf: ['pretty', 'json'] },
};

const registry = new Map<string, SettingDefinition>(Object.entries(coreSettings).map(([key, def]: [string, SettingDefinition]) => {
  const range = CORE_RANGES[key] ?? (def.type === 'int' ? { min: 1 } : {});
  return [key, { ...def, ...range }];
}));

const schemas = new WeakMap<SettingDefinition, TSchema>();

/** The TypeBox schema a setting's values must match (type and range). */
function schemaOf(def: SettingDefinition): TSchema {
  let schema = schemas.get(def);
  if (schema) return schema;
  const range = { ...(def.min !== undefined ? { minimum: def.min } : {}), ...(def.max !== undefined ? { maximum: def.max } : {}) };
  switch (def.type) {
    case 'int': schema = Type.Integer(range); break;
    case 'number': schema = Type.Number(range); break;
    case 'bool': schema = Type.Boolean(); break;
    case 'string': schema = def.oneOf ? Type.Union(def.oneOf.map((v) => Type.Literal(v))) : Type.String(); break;
    default: schema = Type.Unknown();
  }
  schemas.set(def, schema);
  return schema;
}

/** Why a value does not fit a setting (type or range), or null when it does. */
export function settingProblem(key: string, value: unknown): string | null {
  const def = registry.get(key);
  if (!def) return null;
  const schema = schemaOf(def);
  if (Value.Check(schema, value)) return null;
  if (def.oneOf) return `must be one of ${def.oneOf.join(', ')}`;
  const first = Value.Errors(schema, value).First();
  return first ? first.message.replace(/^Expected/, 'expected') : `must be a ${def.type}`;
}

/** A short type description for messages: `int >= 1`, `int 0..65535`. */
export function settingTypeLabel(key: string): string {
  const def = registry.get(key);
  if (!def) return 'unknown';
  if (def.oneOf) return `${def.type} (${def.oneOf.join('|')})`;
  if (def.min !== undefined && def.max !== undefined) return `${def.type} ${def.min}..${def.max}`;
  if (def.min !== undefined) return `${def.type} >= ${def.min}`;
  if (def.max !== undefined) return `${def.type} <= ${def.max}`;
  return def.type;
}

/** Plugin setting → the file that declared it (core settings have none). */
const owners = new Map<string, string>();

/** The file that called defineSettings, read from the call stack (plugin settings files run when they load). */
function callerFile(): string | undefined {
  for (const line of (new Error().stack?.split('\n') ?? []).slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+?\.(?:ts|js|mts|cts|mjs|cjs)):\d+:\d+\)?$/.exec(line.trim());
    const file = m?.[1].replace(/^file:\/\//, '');
    if (file && !/\/app\/config\/settings\.|\/app\/index\.|\/node_modules\/|\0/.test(file)) return file;
  }
  return undefined;
}

/**
 * Registers settings of a plugin (name → type, default, description), remembering the declaring file so a
 * worker's effective config shows its own plugin's keys. Re-declaring a name with another type throws.
 */
export function defineSettings(defs: Record<string, SettingDefinition>): void {
  const file = callerFile();
  for (const [key, def] of Object.entries(defs)) {
    const existing = registry.get(key);
    if (existing && existing.type !== def.type) {
      throw new Error(`Setting ${key} is already declared with type ${existing.type}; cannot redeclare it as ${def.type}`);
    }
    registry.set(key, def);
    if (file && !(key in coreSettings)) owners.set(key, file);
  }
}

/** The absolute path of the file that declared a plugin setting; undefined for core settings. */
export function settingOwner(key: string): string | undefined {
  return owners.get(key);
}

export function settingDefinitions(): ReadonlyMap<string, SettingDefinition> {
  return registry;
}

/** Parses an env string by the setting's type and checks its range; throws naming the key and the bound. */
export function parseSetting(key: string, raw: string, type: SettingType): unknown {
  const value = parseByType(key, raw, type);
  const problem = registry.get(key)?.type === type ? settingProblem(key, value) : null;
  if (problem) throw new Error(`Setting ${key}=${JSON.stringify(raw)} is out of range: ${problem} (${settingTypeLabel(key)})`);
  return value;
}

function parseByType(key: string, raw: string, type: SettingType): unknown {
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

/** Parsed env values per env object (the config chain asks on every get; parsing and checking once is enough). */
const parsedEnv = new WeakMap<NodeJS.ProcessEnv, Map<string, { raw: string; value: unknown }>>();

function parsedFromEnv(key: string, raw: string, def: SettingDefinition, env: NodeJS.ProcessEnv): unknown {
  let cache = parsedEnv.get(env);
  if (!cache) parsedEnv.set(env, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.raw === raw) return hit.value;
  const value = parseSetting(key, raw, def.type);
  cache.set(key, { raw, value });
  return value;
}

/** Value of a registered setting from env (when set) or its default. Unknown keys return undefined. */
export function envOrDefault(key: string, env: NodeJS.ProcessEnv = process.env): { value: unknown; source: 'env' | 'default' } | undefined {
  const def = registry.get(key);
  const raw = env[key];
  if (raw !== undefined && raw !== '' ) return { value: def ? parsedFromEnv(key, raw, def, env) : raw, source: 'env' };
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
