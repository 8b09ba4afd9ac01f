/** Builds the `ctx` of long-lived handlers (listeners, stream consumers) from the process' services. */
import type winston from 'winston';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { BulkJobSpec, WorkerContext } from '../structures/context';
import { databaseByName } from '../structures/database-base';
import type { ConfigChain } from '../services/config-chain';
import type { Dispatcher } from '../services/dispatcher';
import type { EventBus } from '../services/events';
import type { DatabaseOptions } from '../decorators/options';

export interface WorkerContextServices {
  logger: winston.Logger;
  config: ConfigChain;
  events: EventBus;
  dispatcher: Dispatcher;
  redis: Redis;
  mongo: () => Promise<Db>;
  databases: () => ReadonlyMap<string, DatabaseOptions>;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

export function workerContext(s: WorkerContextServices, workerId: string, signal: AbortSignal): WorkerContext {
  const log = (level: Level) => (message: string, meta?: Record<string, unknown>) => s.logger.log(level, message, { ...meta, workerId });
  return {
    workerId, signal, redis: s.redis,
    config: s.config.forWorker(workerId),
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    publish: (type, data) => s.events.publish(type, { ...data, workerId }),
    enqueue: (target, params = {}, opts = {}) => s.dispatcher.enqueue(target, params, { ...opts, trigger: 'chained' }),
    enqueueMany: (target, jobs) => s.dispatcher.enqueueMany(target, jobs as readonly BulkJobSpec<Record<string, unknown>>[], { trigger: 'chained' }),
    mongo: () => s.mongo(),
    database: (name) => databaseByName(name, s.databases()),
  };
}
