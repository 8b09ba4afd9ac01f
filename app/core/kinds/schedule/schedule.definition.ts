/** The registry entry of a `@Schedule` worker: its options validated, defaults applied. */
import type { TSchema } from '@sinclair/typebox';
import type { AnyClass, Declaration } from '../../decorators/declarations';
import { intOrSetting, oneOf } from '../../registry/definition-checks';
import { assertCron, isValidTimezone } from '../../registry/cron';
import { messages } from '../../registry/registry.messages';
import type { RegistryDefaults } from '../kind';
import type { CatchUpPolicy, ErrorClass, HistoryPolicy, OverlapPolicy, ScheduleOptions } from './schedule.options';

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

function checkCron(id: string, o: ScheduleOptions, timezone: string, file: string): void {
  if (!isValidTimezone(timezone)) throw new Error(messages.invalidTimezone(id, timezone, file));
  if (o.cron === undefined) return;
  try {
    assertCron(o.cron, timezone);
  } catch (err) {
    throw new Error(messages.invalidCron(id, o.cron, file, (err as Error).message));
  }
}

export function buildSchedule(decl: Declaration, file: string, id: string, d: RegistryDefaults): ScheduleDefinition {
  const o = decl.options as ScheduleOptions;
  const timezone = o.timezone ?? d.timezone;
  checkCron(id, o, timezone, file);
  const backoff = typeof o.backoff === 'number' ? { type: 'exponential' as const, delayMs: o.backoff } : { type: o.backoff?.type ?? 'exponential', delayMs: o.backoff?.delayMs ?? d.backoffMs };
  if (!(backoff.delayMs >= 0)) throw new Error(messages.invalidOption(id, 'backoff', file, 'delay must be >= 0'));
  const concurrency = intOrSetting(id, 'concurrency', o.concurrency ?? 1, file);
  const timeout = intOrSetting(id, 'timeoutMs', o.timeoutMs ?? d.timeoutMs, file);
  const attempts = intOrSetting(id, 'attempts', o.attempts ?? d.attempts, file);
  return {
    kind: 'schedule', id, cls: decl.target, file,
    cron: o.cron ?? null,
    timezone,
    description: o.description ?? '',
    concurrency: typeof concurrency === 'string' ? 1 : concurrency,
    concurrencySetting: typeof concurrency === 'string' ? concurrency : null,
    timeoutMs: typeof timeout === 'string' ? d.timeoutMs : timeout,
    timeoutSetting: typeof timeout === 'string' ? timeout : null,
    attempts: typeof attempts === 'string' ? d.attempts : attempts,
    attemptsSetting: typeof attempts === 'string' ? attempts : null,
    backoff,
    overlap: oneOf(id, 'overlap', o.overlap ?? 'skip', ['skip', 'queue', 'allow'], file),
    catchUp: oneOf(id, 'catchUp', o.catchUp ?? 'none', ['none', 'last'], file),
    history: oneOf(id, 'history', o.history ?? 'all', ['all', 'failures'], file),
    enabled: o.enabled ?? true,
    nonRetryable: o.nonRetryable ?? [],
    params: o.params,
  };
}

export function describeSchedule(def: ScheduleDefinition): Record<string, unknown> {
  return {
    concurrency: def.concurrencySetting ?? def.concurrency, timeoutMs: def.timeoutSetting ?? def.timeoutMs, attempts: def.attemptsSetting ?? def.attempts, backoff: def.backoff, overlap: def.overlap,
    catchUp: def.catchUp, history: def.history, nonRetryable: def.nonRetryable.map((n) => (typeof n === 'function' ? n.name : String(n))),
    hasParamsSchema: Boolean(def.params),
  };
}
