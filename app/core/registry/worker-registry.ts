/** The registry: validated definitions built from decorator records. Throws on the first boot problem. */
import type { TSchema } from '@sinclair/typebox';
import { ScheduleWorker } from '../structures/schedule-worker';
import { WebSocketWorker } from '../structures/websocket-worker';
import { DatabaseBase } from '../structures/database-base';
import type { AnyClass, Declaration } from '../decorators/declarations';
import type { DatabaseOptions, ErrorClass, HistoryPolicy, OverlapPolicy, CatchUpPolicy } from '../decorators/options';
import { assertCron, isValidTimezone } from './cron';
import { messages } from './registry.messages';

export interface RegistryDefaults {
  timezone: string;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

export interface ScheduleDefinition {
  kind: 'schedule';
  id: string;
  cls: AnyClass;
  file: string;
  cron: string | null;
  timezone: string;
  description: string;
  concurrency: number;
  /** Setting that overrides `concurrency` at worker start (when the option named one). */
  concurrencySetting: string | null;
  timeoutMs: number;
  /** Setting that gives timeoutMs when a run starts (when the option named one). */
  timeoutSetting: string | null;
  attempts: number;
  /** Setting that gives attempts when a job is enqueued (when the option named one). */
  attemptsSetting: string | null;
  backoff: { type: 'fixed' | 'exponential'; delayMs: number };
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
  history: HistoryPolicy;
  enabled: boolean;
  nonRetryable: Array<string | RegExp | ErrorClass>;
  params?: TSchema;
}

export interface WebSocketDefinition {
  kind: 'websocket';
  id: string;
  cls: AnyClass;
  file: string;
  description: string;
  url?: string;
  urlConfigKey?: string;
  heartbeatMs: number;
  /** Setting that gives heartbeatMs at connect time (when the option named one). */
  heartbeatSetting: string | null;
  reconnect: { minMs: number; maxMs: number };
  singleton: boolean;
  enabled: boolean;
}

export interface DatabaseDefinition {
  name: string;
  cls: AnyClass;
  file: string;
  options: DatabaseOptions;
}

export type WorkerDefinition = ScheduleDefinition | WebSocketDefinition;

export class WorkerRegistry {
  readonly workers = new Map<string, WorkerDefinition>();
  readonly databases = new Map<string, DatabaseDefinition>();

  get schedules(): ScheduleDefinition[] {
    return [...this.workers.values()].filter((w): w is ScheduleDefinition => w.kind === 'schedule');
  }

  get listeners(): WebSocketDefinition[] {
    return [...this.workers.values()].filter((w): w is WebSocketDefinition => w.kind === 'websocket');
  }

  get(id: string): WorkerDefinition | undefined {
    return this.workers.get(id);
  }

  schedule(id: string): ScheduleDefinition | undefined {
    const w = this.workers.get(id);
    return w?.kind === 'schedule' ? w : undefined;
  }

  databaseOptions(): Map<string, DatabaseOptions> {
    return new Map([...this.databases].map(([k, v]) => [k, v.options]));
  }
}

/** `FundNavWorker` → `fund-nav`. */
export function defaultWorkerId(className: string): string {
  return className
    .replace(/Worker$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function extendsBase(target: AnyClass, base: AnyClass): boolean {
  return target.prototype instanceof base;
}

function positiveInt(id: string, option: string, value: number, file: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(messages.invalidOption(id, option, file, `must be a positive integer (got ${value})`));
  return value;
}

function oneOf<T extends string>(id: string, option: string, value: T, allowed: readonly T[], file: string): T {
  if (!allowed.includes(value)) throw new Error(messages.invalidOption(id, option, file, `must be one of ${allowed.join(', ')} (got ${String(value)})`));
  return value;
}

function buildSchedule(decl: Extract<Declaration, { kind: 'schedule' }>, file: string, d: RegistryDefaults): ScheduleDefinition {
  const o = decl.options;
  if (!extendsBase(decl.target, ScheduleWorker)) throw new Error(messages.wrongBase('Schedule', decl.target.name, 'ScheduleWorker', file));
  const id = o.id ?? defaultWorkerId(decl.target.name);
  if (!ID_PATTERN.test(id)) throw new Error(messages.invalidId(id, file));
  const timezone = o.timezone ?? d.timezone;
  if (!isValidTimezone(timezone)) throw new Error(messages.invalidTimezone(id, timezone, file));
  if (o.cron !== undefined) {
    try {
      assertCron(o.cron, timezone);
    } catch (err) {
      throw new Error(messages.invalidCron(id, o.cron, file, (err as Error).message));
    }
  }
  const backoff = typeof o.backoff === 'number' ? { type: 'exponential' as const, delayMs: o.backoff } : { type: o.backoff?.type ?? 'exponential', delayMs: o.backoff?.delayMs ?? d.backoffMs };
  if (!(backoff.delayMs >= 0)) throw new Error(messages.invalidOption(id, 'backoff', file, 'delay must be >= 0'));
  return {
    kind: 'schedule', id, cls: decl.target, file,
    cron: o.cron ?? null,
    timezone,
    description: o.description ?? '',
    concurrency: typeof o.concurrency === 'string' ? 1 : positiveInt(id, 'concurrency', o.concurrency ?? 1, file),
    concurrencySetting: typeof o.concurrency === 'string' ? o.concurrency : null,
    timeoutMs: typeof o.timeoutMs === 'string' ? d.timeoutMs : positiveInt(id, 'timeoutMs', o.timeoutMs ?? d.timeoutMs, file),
    timeoutSetting: typeof o.timeoutMs === 'string' ? o.timeoutMs : null,
    attempts: typeof o.attempts === 'string' ? d.attempts : positiveInt(id, 'attempts', o.attempts ?? d.attempts, file),
    attemptsSetting: typeof o.attempts === 'string' ? o.attempts : null,
    backoff,
    overlap: oneOf(id, 'overlap', o.overlap ?? 'skip', ['skip', 'queue', 'allow'], file),
    catchUp: oneOf(id, 'catchUp', o.catchUp ?? 'none', ['none', 'last'], file),
    history: oneOf(id, 'history', o.history ?? 'all', ['all', 'failures'], file),
    enabled: o.enabled ?? true,
    nonRetryable: o.nonRetryable ?? [],
    params: o.params,
  };
}

function buildWebSocket(decl: Extract<Declaration, { kind: 'websocket' }>, file: string): WebSocketDefinition {
  const o = decl.options;
  if (!extendsBase(decl.target, WebSocketWorker)) throw new Error(messages.wrongBase('WebSocket', decl.target.name, 'WebSocketWorker', file));
  const id = o.id ?? defaultWorkerId(decl.target.name);
  if (!ID_PATTERN.test(id)) throw new Error(messages.invalidId(id, file));
  if (!o.url && !o.urlConfigKey) throw new Error(messages.invalidOption(id, 'url', file, 'give url or urlConfigKey'));
  const reconnect = o.reconnect ?? { minMs: 1_000, maxMs: 30_000 };
  if (!(reconnect.minMs > 0 && reconnect.maxMs >= reconnect.minMs)) throw new Error(messages.invalidOption(id, 'reconnect', file, 'need 0 < minMs <= maxMs'));
  return {
    kind: 'websocket', id, cls: decl.target, file,
    description: o.description ?? '',
    url: o.url, urlConfigKey: o.urlConfigKey,
    heartbeatMs: typeof o.heartbeatMs === 'string' ? 30_000 : positiveInt(id, 'heartbeatMs', o.heartbeatMs ?? 30_000, file),
    heartbeatSetting: typeof o.heartbeatMs === 'string' ? o.heartbeatMs : null,
    reconnect,
    singleton: o.singleton ?? true,
    enabled: o.enabled ?? true,
  };
}

/** Validates declarations and builds the registry; the first problem throws, naming the file. */
export function buildRegistry(decls: ReadonlyArray<{ decl: Declaration; file: string }>, defaults: RegistryDefaults): WorkerRegistry {
  const registry = new WorkerRegistry();
  for (const { decl, file } of decls) {
    if (decl.kind === 'database') {
      if (!extendsBase(decl.target, DatabaseBase)) throw new Error(messages.wrongBase('Database', decl.target.name, 'DatabaseBase', file));
      const prev = registry.databases.get(decl.options.name);
      if (prev && prev.cls !== decl.target) throw new Error(messages.duplicateDatabase(decl.options.name, prev.file, file));
      registry.databases.set(decl.options.name, { name: decl.options.name, cls: decl.target, file, options: decl.options });
      continue;
    }
    const def = decl.kind === 'schedule' ? buildSchedule(decl, file, defaults) : buildWebSocket(decl, file);
    const prev = registry.workers.get(def.id);
    if (prev && prev.cls !== def.cls) throw new Error(messages.duplicateId(def.id, prev.file, file));
    registry.workers.set(def.id, def);
  }
  return registry;
}
