/**
 * Builds the {@link PluginApi} of each plugin folder from the process's services: one per folder and process,
 * made on first use. The plugin's Redis client is opened on first use too and closed with the process's other
 * connections; plugins never see the services themselves.
 */
import path from 'node:path';
import type winston from 'winston';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { WorkerDefinition, WorkerRegistry } from '../registry/worker-registry';
import { databaseByName } from '../structures/database-base';
import type { ConfigReader, RunLogger } from '../structures/context';
import type { Dispatcher } from '../services/dispatcher';
import type { EventBus } from '../services/events';
import type { RedisFactory } from '../services/redis';
import type { PluginApi, RegisteredWorkerView, RegistryView } from './plugin-api';
import type { PluginObservability } from './plugin-observability';

/** What the plugin APIs of a process are built from (a narrow slice of the container). */
export interface PluginServices {
  /** The effective global config (no worker rows). */
  config: ConfigReader;
  logger: winston.Logger;
  dispatcher: Pick<Dispatcher, 'enqueue' | 'enqueueMany'>;
  events: Pick<EventBus, 'publish'>;
  mongo: () => Promise<Db>;
  registry: WorkerRegistry;
  redisFactory: RedisFactory;
  /** REDIS_PREFIX of the deployment. */
  redisPrefix: string;
  /** The process's plugin metrics and readiness checks. */
  observability: PluginObservability;
}

/** Event namespaces of the core: a plugin publishing into them would forge core events. */
const CORE_EVENT_NAMESPACES = new Set(['worker', 'execution', 'config', 'schedule', 'listener', 'ws']);

function pluginLogger(logger: winston.Logger, plugin: string): RunLogger {
  const write = (level: string) => (message: string, meta?: Record<string, unknown>): void => {
    logger.log(level, message, { ...meta, plugin });
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function workerView(def: WorkerDefinition): RegisteredWorkerView {
  return Object.freeze({ id: def.id, kind: def.kind, description: def.description, file: path.relative(process.cwd(), def.file) || def.file, enabled: def.enabled });
}

function registryView(registry: WorkerRegistry): RegistryView {
  return {
    list: () => [...registry.workers.values()].map(workerView),
    get: (id) => {
      const def = registry.get(id);
      return def ? workerView(def) : undefined;
    },
    has: (id) => registry.workers.has(id),
  };
}

export class PluginApis {
  private readonly apis = new Map<string, PluginApi>();

  constructor(private readonly services: PluginServices) {}

  /** The API of the plugin in `workers/<folder>/`. */
  get(folder: string): PluginApi {
    let api = this.apis.get(folder);
    if (!api) this.apis.set(folder, (api = this.build(folder)));
    return api;
  }

  private build(name: string): PluginApi {
    const s = this.services;
    let redis: Redis | null = null;
    const registry = registryView(s.registry);
    return Object.freeze({
      name,
      config: { get: <T>(key: string) => s.config.get<T>(key) },
      logger: pluginLogger(s.logger, name),
      trigger: (workerId, params = {}, opts = {}) =>
        s.dispatcher.enqueue(workerId, params, { delayMs: opts.delayMs, jobId: opts.jobId, priority: opts.priority, trigger: opts.trigger ?? 'manual' }),
      enqueueMany: (workerId, jobs) =>
        s.dispatcher.enqueueMany(workerId, jobs.map((j) => ({ ...j, params: j.params as Record<string, unknown> | undefined })), { trigger: 'manual' }),
      publish: (type, data) => {
        const namespace = type.slice(0, type.indexOf('.'));
        if (CORE_EVENT_NAMESPACES.has(namespace)) throw new Error(`plugin ${name}: event type "${type}" is in the core's "${namespace}." namespace; use your plugin's own (e.g. "${name}.${type.slice(namespace.length + 1)}")`);
        s.events.publish(type, { ...data, plugin: name });
      },
      mongo: () => s.mongo(),
      database: (dbName) => databaseByName(dbName, s.registry.databaseOptions()),
      get redis(): Redis {
        return (redis ??= s.redisFactory.create(`plugin:${name}`, { keyPrefix: `${s.redisPrefix}plugin:${name}:`, autoPipelining: true }));
      },
      registry,
      metrics: s.observability.metricsFor(name),
      readiness: (checkName, check) => s.observability.addCheck(name, checkName, check),
    } satisfies PluginApi);
  }
}
