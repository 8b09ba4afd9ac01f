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
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { MySql2Database } from 'drizzle-orm/mysql2';
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
  /** `workers/<folder>/…` relative source file. */
  readonly file: string;
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
  /** The process logger, lines tagged with the plugin's name; secrets are masked like run logs. */
  readonly logger: RunLogger;
  /** Enqueues one run of `workerId` now (or after `delayMs`); resolves to the execution id. */
  trigger(workerId: string, params?: Record<string, unknown>, opts?: TriggerOptions): Promise<string>;
  /** Enqueues many runs of one worker with one Bull `addBulk` and one batch of queued rows; resolves to their execution ids in order. */
  enqueueMany<P = Record<string, unknown>>(workerId: string, jobs: readonly BulkJob<P>[]): Promise<string[]>;
  /** Publishes a plugin event (`<plugin>.<name>`) to every process and to `/ws` clients. */
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
  /** The process's MongoDB database (MONGO_URL; the embedded server in dev). */
  mongo(): Promise<Db>;
  /** Drizzle instance of a database declared with `@Database({ name })`. */
  database(name: string): MySql2Database<Record<string, never>>;
  /** A Redis client whose every key is prefixed `<REDIS_PREFIX>plugin:<name>:` (ioredis `keyPrefix`). Do not close it. */
  readonly redis: Redis;
  /** A read view of the worker registry. */
  readonly registry: RegistryView;
}

/** The options a plugin's `routes.ts` default export is registered with. */
export interface PluginRouteOptions {
  api: PluginApi;
}

/** `routes.ts` default export: mounted under `/plugins/<folder>`, every route behind the bearer token. */
export type PluginRoutes = FastifyPluginAsync<PluginRouteOptions>;

/**
 * `routes.ts` may also export `publicRoutes`: routes that verify their caller themselves (HMAC-signed webhooks).
 * They are mounted outside the token scope at `prefix`, keep the body limit and the error shape, get their own
 * rate limit (`PUBLIC_RATE_LIMIT_MAX` per `PUBLIC_RATE_LIMIT_WINDOW_MS`), and see the raw body as `req.rawBody`.
 */
export interface PublicRoutes {
  /** Absolute mount path, e.g. `/webhooks`. Must not collide with a core route. */
  prefix: string;
  plugin: FastifyPluginAsync<PluginRouteOptions>;
}

/** `hooks.ts` named exports. A hook that throws fails the boot with a message naming the file. */
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
