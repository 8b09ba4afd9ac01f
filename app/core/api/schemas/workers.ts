/** Schemas of worker, execution and log payloads. */
import { Type } from '@sinclair/typebox';
import { IsoDate, NullableDate, StringEnum } from './common';

export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'] as const;
export const ExecutionStatus = StringEnum(EXECUTION_STATUSES);
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

export const Execution = Type.Object({
  id: Type.String(),
  workerId: Type.String(),
  trigger: Type.String({ description: 'cron | manual | chained | retry' }),
  status: Type.String({ description: EXECUTION_STATUSES.join(' | ') }),
  attempt: Type.Integer(),
  params: Type.Unknown(),
  progress: Type.Unknown({ description: 'A percentage or { done, total }; null when never reported' }),
  result: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  jobId: Type.Union([Type.String(), Type.Null()]),
  parentExecutionId: Type.Union([Type.String(), Type.Null()]),
  queuedAt: IsoDate,
  startedAt: NullableDate,
  finishedAt: NullableDate,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
}, { $id: 'Execution', title: 'Execution' });

export const LogLine = Type.Object({
  id: Type.Integer(),
  executionId: Type.Union([Type.String(), Type.Null()]),
  workerId: Type.Union([Type.String(), Type.Null()]),
  level: Type.String(),
  message: Type.String(),
  meta: Type.Unknown(),
  ts: IsoDate,
}, { $id: 'LogLine', title: 'LogLine' });

export const Worker = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'schedule | websocket | stream' }),
  description: Type.String(),
  cron: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  sourceFile: Type.String(),
  options: Type.Record(Type.String(), Type.Unknown()),
  state: Type.String({ description: 'Live state: idle | running (schedule workers); connected | reconnecting | stopped | disabled (listeners)' }),
  runningExecutionIds: Type.Array(Type.String()),
  progress: Type.Unknown(),
  nextFireAt: Type.Union([IsoDate, Type.Null()], { description: 'Next cron fire computed from the stored schedule; null when on-demand or disabled' }),
  beatNextFireAt: Type.Union([Type.String(), Type.Null()], { description: 'Next fire as published by the running beat; null when no beat schedules it' }),
  lastExecution: Type.Union([Type.Ref('Execution'), Type.Null()]),
  live: Type.Record(Type.String(), Type.String(), { description: 'The raw live-state hash from Redis' }),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Kind-specific figures, e.g. a stream's consumers, pending, lag and entry counters" })),
}, { $id: 'Worker', title: 'Worker' });

export const TriggerBody = Type.Object({
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "The run's ctx.params, checked against the worker's params schema" })),
}, { additionalProperties: false });

export const ScheduleBody = Type.Object({
  cron: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()], { description: '5 or 6 fields (seconds first); null makes the worker on-demand' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA timezone' })),
}, { additionalProperties: false, minProperties: 1 });

export const Accepted = Type.Object({ executionId: Type.String() });

export const ControlResult = Type.Object({
  workerId: Type.String(),
  action: Type.String({ description: 'stop | start | restart' }),
  executionIds: Type.Array(Type.String(), { description: 'Executions asked to cancel (schedule workers)' }),
  deliveredTo: Type.Integer({ description: 'Worker processes that received the request' }),
});
