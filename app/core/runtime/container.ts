/**
 * The services of one process, built once from settings: connections, log path, config chain, mirror,
 * queues, dispatcher. Roles (api, worker, beat) take what they need from it; `close()` tears it down in order.
 */
import path from 'node:path';
import type winston from 'winston';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { closeMongoHubs, ensureIndexes, getMongoHub, type MongoHub } from '../../../plugins/mongo';
import { loadSettings, type SettingValues } from '../../config/settings';
import { connectCoreDatabase, ensureDatabase, type CoreDatabase } from '../database/connection';
import { migrateCore } from '../database/migrate';
import { discoverWorkers } from '../registry/discovery';
import { buildRegistry, type WorkerRegistry } from '../registry/worker-registry';
import { databasePools } from '../structures/database-pools';
import type { BatchWriter } from '../../../plugins/batcher';
import { ConfigChain } from '../services/config-chain';
import { Dispatcher } from '../services/dispatcher';
import { EventBus } from '../services/events';
import { ExecutionRecorder } from '../services/execution-recorder';
import { createLogger, createLogWriter, type LogRecord } from '../services/log-writer';
import { createRedisFactory, RedisKeys, type RedisFactory } from '../services/redis';
import { LiveRuns } from '../services/live-runs';
import { Redactor } from '../services/redact';
import { TokenStore } from '../api/auth/tokens';
import { errorText } from '../services/failure';
import { StateMirror } from '../services/state-mirror';
import { TaskQueues } from '../services/task-queues';

export interface ContainerOptions {
  /** Settings overrides (tests, dev). @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** A prebuilt registry instead of discovering WORKERS_DIR (tests). */
  registry?: WorkerRegistry;
  /** Role name shown in logs and Redis client names. */
  role: string;
  /** Console logging. @defaultValue true */
  console?: boolean;
}

export class Container {
  readonly settings: SettingValues;
  readonly keys: RedisKeys;
  readonly redisFactory: RedisFactory;
  readonly redis: Redis;
  readonly core: CoreDatabase;
  readonly logWriter: BatchWriter<LogRecord>;
  readonly logger: winston.Logger;
  readonly recorder: ExecutionRecorder;
  readonly events: EventBus;
  readonly config: ConfigChain;
  readonly mirror: StateMirror;
  readonly queues: TaskQueues;
  /** The process's one redaction and size cap; learns secret values from the config chain and the API tokens. */
  readonly redactor: Redactor;
  registry!: WorkerRegistry;
  dispatcher!: Dispatcher;
  live!: LiveRuns;
  private subscriber: Redis | null = null;
  private initializing: Promise<void> | null = null;
  private mongoProvider: (() => Promise<Db>) | null = null;

  constructor(readonly opts: ContainerOptions) {
    const env = opts.env ?? process.env;
    const s = (this.settings = loadSettings(env));
    this.keys = new RedisKeys(s.REDIS_PREFIX);
    this.redactor = new Redactor({ maxBytes: s.VALUE_MAX_BYTES, maxParamsBytes: s.JOB_PARAMS_MAX_BYTES, maxDepth: s.JSON_MAX_DEPTH, minSecretLength: s.SECRET_MASK_MIN_LENGTH });
    for (const token of TokenStore.secrets(s.API_TOKENS)) this.redactor.addSecret(token);
    const report = (message: string, meta: Record<string, unknown>): void => {
      this.logger.warn(message, { ...meta, stored: false });
    };
    this.redisFactory = createRedisFactory(s.REDIS_URL, (role, err) => report(`redis (${role}): ${err.message}`, {}));
    this.redis = this.redisFactory.create(`${opts.role}:main`);
    this.core = connectCoreDatabase(s.DATABASE_URL, s.DB_POOL_SIZE);
    this.logWriter = createLogWriter(this.core.pool, {
      batchSize: s.LOG_FLUSH_BATCH, concurrency: s.LOG_FLUSH_CONCURRENCY, flushIntervalMs: s.LOG_FLUSH_INTERVAL_MS, maxQueued: s.LOG_QUEUE_MAX,
      reportIntervalMs: s.LOG_DROP_REPORT_INTERVAL_MS, onReport: report, redactor: this.redactor,
    });
    this.logger = createLogger({ level: s.LOG_LEVEL, format: s.LOG_FORMAT, dir: s.LOG_DIR, retentionDays: s.LOG_RETENTION_DAYS, sink: this.logWriter, console: opts.console, redactor: this.redactor });
    this.recorder = new ExecutionRecorder(this.core.pool, {
      batchSize: s.EXECUTION_FLUSH_BATCH, concurrency: s.EXECUTION_FLUSH_CONCURRENCY, flushIntervalMs: s.EXECUTION_FLUSH_INTERVAL_MS, maxQueued: s.EXECUTION_QUEUE_MAX,
      reportIntervalMs: s.LOG_DROP_REPORT_INTERVAL_MS, onReport: report, redactor: this.redactor,
    });
    this.events = new EventBus(this.redis, this.keys.events, (err) => report(`could not publish an event: ${err.message}`, {}), this.redactor);
    this.config = new ConfigChain(this.core.pool, {
      ttlMs: s.CONFIG_CACHE_TTL_MS, channel: this.keys.configChannel, publisher: this.redis, events: this.events, env, redactor: this.redactor,
      onError: (err) => report(`config reload failed (serving the cached rows): ${err instanceof Error ? err.message : String(err)}`, {}),
    });
    this.mirror = new StateMirror(this.core.pool, this.redis, this.keys, this.events);
    this.queues = new TaskQueues(this.redisFactory, this.keys, {
      lockDurationMs: s.QUEUE_LOCK_DURATION_MS, stalledIntervalMs: s.QUEUE_STALLED_INTERVAL_MS,
      maxStalledCount: s.QUEUE_MAX_STALLED_COUNT, drainDelayS: s.QUEUE_DRAIN_DELAY_S,
    });
    // The @Database pools have one owner per process: the first container; later ones wait their turn.
    databasePools.claim(this, (key) => this.config.get(key));
  }

  /** Creates/migrates the core database (DB_AUTO_MIGRATE), loads the config cache and builds the registry. */
  init(): Promise<void> {
    this.initializing ??= this.doInit();
    return this.initializing;
  }

  private async doInit(): Promise<void> {
    if (this.settings.DB_AUTO_MIGRATE) {
      await ensureDatabase(this.settings.DATABASE_URL);
      await migrateCore(this.core.db, this.core.pool);
    }
    await this.config.load();
    this.subscriber = this.redisFactory.create(`${this.opts.role}:config-sub`, { blocking: true });
    await this.config.listen(this.subscriber);
    this.registry = this.opts.registry ?? buildRegistry(await discoverWorkers(path.resolve(this.settings.WORKERS_DIR)), {
      timezone: this.settings.DEFAULT_TIMEZONE, timeoutMs: this.settings.JOB_TIMEOUT_MS,
      attempts: this.settings.JOB_ATTEMPTS, backoffMs: this.settings.JOB_BACKOFF_MS,
    });
    this.live = new LiveRuns(this.redis, this.keys, {
      ttlMs: this.settings.QUEUE_LOCK_DURATION_MS * 2,
      flushIntervalMs: this.settings.LIVE_FLUSH_INTERVAL_MS,
      onStatus: (status) => this.recorder.workerStatus(status),
      onError: (err) => this.logger.warn(`could not update the live state of runs: ${errorText(err)}`, { stored: false }),
    });
    this.dispatcher = new Dispatcher(this.registry, this.queues, this.recorder, {
      keepCompleted: this.settings.JOB_KEEP_COMPLETED, keepFailed: this.settings.JOB_KEEP_FAILED, bulkChunk: this.settings.ENQUEUE_BULK_CHUNK,
      setting: (key, workerId) => this.config.get(key, workerId),
    });
    await this.checkRedisPolicy();
  }

  /** Readiness checks beyond MySQL, Redis and the @Database classes (MongoDB when configured). */
  readonly probes = new Map<string, () => Promise<unknown>>();

  /**
   * Wires `ctx.mongo()` and the /ready check to MONGO_URL. Without a URL, dev mode starts the in-memory test
   * server (data not kept) and other roles leave MongoDB unconfigured.
   */
  configureMongo(allowTestServer: boolean): void {
    const url = this.settings.MONGO_URL || undefined;
    if (!url && !allowTestServer) return;
    const logger = { warn: (m: string, meta?: Record<string, unknown>) => void this.logger.warn(m, meta), info: (m: string, meta?: Record<string, unknown>) => void this.logger.info(m, meta) };
    let hub: Promise<MongoHub> | null = null;
    const connect = (): Promise<MongoHub> => (hub ??= getMongoHub({ url, allowTestServer, logger }).catch((err: unknown) => {
      hub = null;
      throw err;
    }));
    this.mongoProvider = async () => (await connect()).db();
    this.probes.set('mongo', async () => {
      const r = await (await connect()).ping();
      if (!r.ok) throw new Error(r.error ?? 'mongo ping failed');
    });
  }

  get mongoConfigured(): boolean {
    return this.mongoProvider !== null;
  }

  /** Creates the indexes plugins declared with declareIndexes() (worker boot). */
  async ensureMongoIndexes(): Promise<void> {
    if (this.mongoProvider) await ensureIndexes(await this.mongoProvider());
  }

  mongo(): Promise<Db> {
    if (!this.mongoProvider) return Promise.reject(new Error('MongoDB is not configured in this process (set MONGO_URL)'));
    return this.mongoProvider();
  }

  /** An evicted queue key is a lost job: warn loudly unless Redis runs with noeviction. */
  private async checkRedisPolicy(): Promise<void> {
    try {
      const res = (await this.redis.config('GET', 'maxmemory-policy')) as string[];
      if (res[1] && res[1] !== 'noeviction') {
        this.logger.error(`Redis maxmemory-policy is "${res[1]}": set it to noeviction, or Redis may evict queue keys and lose jobs`);
      }
    } catch {
      this.logger.warn('Could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is noeviction');
    }
  }

  /** Flushes logs and execution rows, then closes databases and Redis. */
  async close(flushTimeoutMs = 10_000): Promise<void> {
    const execLeft = await this.recorder.close(flushTimeoutMs);
    const logLeft = await this.logWriter.close(flushTimeoutMs);
    if (execLeft || logLeft) this.logger.error(`shutdown: ${execLeft} execution row(s) and ${logLeft} log record(s) could not be written`, { stored: false });
    await this.queues.close(true);
    await databasePools.release(this);
    await closeMongoHubs().catch(() => undefined);
    await this.core.close().catch(() => undefined);
    await this.redisFactory.closeAll();
    this.logger.close();
  }
}
