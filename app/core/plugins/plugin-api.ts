/**
 * The contract between the core and a plugin folder (`workers/<folder>/`). A plugin's `routes.ts`, its public
 * routes and its lifecycle hooks receive a `PluginApi` and nothing else of the process: no container, no
 * dispatcher, no pools. Everything a plugin builds goes through these members.
 *
 * Files a plugin folder may carry (all optional):
 * - `*.worker.ts`  decorated worker classes (discovered by the registry);
 * - `routes.ts`    `export default` a {@link PluginRoutes} Fastify plugin, mounted under `/plugins/<folder>` behind
 *                  the bearer token; it may also `export const publicRoutes: PublicRoutes` (see below);
 * - `hooks.ts`     named exports `onWorkerBoot`, `onWorkerShutdown`, `onApiBoot` ({@link PluginHooks});
 * - `dev.ts`       the dev-mode hook (`npm run dev` only).
 *
 * The implementation is `plugin-apis.ts` (one API per folder and process); the guide is docs/plugins.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { Counter, Gauge } from 'prom-client';
import type { BulkJobSpec, ConfigReader, EnqueueOptions, RunLogger, Trigger } from '../structures/context';

/** One job of an {@link PluginApi.enqueueMany} call (and of `ctx.enqueueMany`). */
export type BulkJob<P = Record<string, unknown>> = BulkJobSpec<P>;

/** Options of {@link PluginApi.trigger}. */
export interface TriggerOptions extends EnqueueOptions {
  /** How the run is recorded. @defaultValue `'manual'` */
  trigger?: Trigger;
}

/** What a plugin may read of the registry. */
export interface RegisteredWorkerView {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  /** Source file, relative to the working directory (`workers/<folder>/….worker.ts`). */
  readonly file: string;
  /** The code's initial enabled flag (the API can change the live one: `GET /workers`). */
  readonly enabled: boolean;
}

export interface RegistryView {
  list(): readonly RegisteredWorkerView[];
  get(id: string): RegisteredWorkerView | undefined;
  has(id: string): boolean;
}

export interface PluginApi {
  /** The plugin's folder name under `workers/` (its route prefix is `/plugins/<name>`). */
  readonly name: string;
  /** The effective global config view (global row → env → default), cached and kept fresh by the core. */
  readonly config: ConfigReader;
  /** The process logger: lines tagged `plugin: <name>`, stored in execution_logs like the core's; secrets are masked like run logs. */
  readonly logger: RunLogger;
  /**
   * Enqueues one run of `workerId` now (or after `delayMs`); resolves to the execution id (that of the job already
   * holding `jobId`, when given). Bad params throw a ParamsValidationError (400 through the API).
   */
  trigger(workerId: string, params?: Record<string, unknown>, opts?: TriggerOptions): Promise<string>;
  /**
   * Enqueues many runs of one worker with one Bull `addBulk` (per ENQUEUE_BULK_CHUNK jobs) and one batch of queued
   * rows; resolves to their execution ids in order. Every job is validated first: one bad job enqueues nothing.
   */
  enqueueMany<P = Record<string, unknown>>(workerId: string, jobs: readonly BulkJob<P>[]): Promise<string[]>;
  /** Publishes a plugin event (`<plugin>.<name>`, `plugin` added to data) to every process and `/ws` clients; core namespaces throw. */
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
  /** The process's MongoDB database (MONGO_URL; the embedded server in dev). */
  mongo(): Promise<Db>;
  /** Drizzle instance of a database declared with `@Database({ name })`. */
  database(name: string): MySql2Database<Record<string, never>>;
  /**
   * A Redis client whose every key is prefixed `<REDIS_PREFIX>plugin:<name>:` (ioredis `keyPrefix`; not applied to
   * KEYS/SCAN patterns). One per plugin and process, opened on first use and closed by the core: do not close it.
   * Auto-pipelined: commands issued in one tick share a write, in order. Not for blocking commands.
   */
  readonly redis: Redis;
  /** A read view of the worker registry. */
  readonly registry: RegistryView;
  /** Prometheus counters and gauges of this plugin (names `sluice_<plugin>_…`), in the API's GET /metrics. */
  readonly metrics: PluginMetrics;
  /**
   * Adds a check to GET /ready of this process (`plugin:<plugin>:<name>`; the same name again replaces it). A
   * throw makes /ready answer 503; `{ warning }` keeps it 200 and shows the warning on the check.
   */
  readiness(name: string, check: ReadinessCheck): void;
}

/** The options a plugin's `routes.ts` default export is registered with. */
/** Options of a plugin metric; `name` must start with `sluice_<plugin>_`. */
export interface PluginMetricOptions {
  name: string;
  help: string;
  /** @defaultValue [] */
  labelNames?: string[];
}

/**
 * Prometheus metrics of a plugin, served by the API's GET /metrics beside the core's. Counters and gauges count what
 * this process saw (prom-client objects: `inc(labels, n)`, `set(labels, v)`). A gauge's `collect` runs at scrape time.
 */
export interface PluginMetrics {
  counter(options: PluginMetricOptions): Counter<string>;
  gauge(options: PluginMetricOptions & { collect?: (this: Gauge<string>) => void | Promise<void> }): Gauge<string>;
}

/** What a readiness check resolves to: nothing (ready) or `{ warning }` (ready, with a warning shown in /ready). */
export type ReadinessResult = void | { warning?: string };
/** A readiness check: throw (or reject) = not ready, /ready answers 503. It gets 3 s like the core's checks. */
export type ReadinessCheck = () => Promise<ReadinessResult>;

export interface PluginRouteOptions {
  api: PluginApi;
}

/** `routes.ts` default export: mounted under `/plugins/<folder>`, every route behind the bearer token. */
export type PluginRoutes = FastifyPluginAsync<PluginRouteOptions>;

/**
 * `routes.ts` may also export `publicRoutes`: routes that verify their caller themselves (HMAC-signed webhooks).
 * They are mounted outside the token scope at `prefix`, keep the body limit and the error shape, get their own
 * rate limit (`PUBLIC_RATE_LIMIT_MAX` per `PUBLIC_RATE_LIMIT_WINDOW_MS`), and see the raw body as `req.rawBody`.
 * JSON bodies are parsed into `req.body`; any other content type arrives as the raw Buffer.
 */
export interface PublicRoutes {
  /** Absolute lowercase mount path, e.g. `/webhooks`. Its first segment must not be one of the API's (boot fails). */
  prefix: string;
  plugin: FastifyPluginAsync<PluginRouteOptions>;
}

/**
 * `hooks.ts` named exports. A boot hook that throws (or passes PLUGIN_HOOK_TIMEOUT_MS) fails the boot with a
 * message naming the file; a failing shutdown hook is logged and the shutdown goes on.
 */
export interface PluginHooks {
  /** Worker process: after the registry and connections are up, before the first job is taken. */
  onWorkerBoot?(api: PluginApi): Promise<void>;
  /** Worker process: after jobs and listeners stopped, before connections close. */
  onWorkerShutdown?(api: PluginApi): Promise<void>;
  /** API process: before it starts listening. */
  onApiBoot?(api: PluginApi): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The unparsed body of a public route's request (for signature checks). */
    rawBody?: Buffer;
  }
}
