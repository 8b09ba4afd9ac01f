/** Drizzle schema of the core tables (SPEC §4). Migrations in drizzle/ are generated from this file. */
import { sql } from 'drizzle-orm';
import {
  bigint, boolean, datetime, index, int, json, mysqlTable, primaryKey, text, uniqueIndex, varchar, char, customType,
} from 'drizzle-orm/mysql-core';

const ms = { fsp: 3 } as const;

/**
 * An ASCII string column compared byte by byte. Used for the executions table's identifiers and enums (execution
 * ids are UUIDs, worker ids match [A-Za-z0-9._-]): its index entries are smaller and compare with memcmp instead of
 * the database's Unicode collation, which made the per-job row write a quarter cheaper for MariaDB.
 */
const ascii = (type: 'char' | 'varchar', length: number) => customType<{ data: string; driverData: string }>({
  dataType: () => `${type}(${length}) CHARACTER SET ascii COLLATE ascii_bin`,
});

export const workers = mysqlTable('workers', {
  id: varchar('id', { length: 128 }).primaryKey(),
  kind: varchar('kind', { length: 16 }).notNull(),
  description: text('description'),
  /** Effective schedule: changed at runtime through the API, reset when the code's value changes. */
  cron: varchar('cron', { length: 128 }),
  timezone: varchar('timezone', { length: 64 }),
  enabled: boolean('enabled').notNull().default(true),
  /** Values declared in code at the last boot, to tell a code change from a runtime change. */
  codeCron: varchar('code_cron', { length: 128 }),
  codeTimezone: varchar('code_timezone', { length: 64 }),
  codeEnabled: boolean('code_enabled').notNull().default(true),
  sourceFile: varchar('source_file', { length: 512 }).notNull(),
  options: json('options'),
  createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

export const workerConfigs = mysqlTable('worker_configs', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  workerId: varchar('worker_id', { length: 128 }),
  /** NULL-safe scope so (global, key) is unique too: MySQL unique indexes let NULLs repeat. */
  scope: varchar('scope', { length: 128 }).generatedAlwaysAs(sql`ifnull(worker_id, '')`, { mode: 'stored' }),
  key: varchar('key', { length: 191 }).notNull(),
  value: json('value').notNull(),
  updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
}, (t) => [uniqueIndex('worker_configs_scope_key').on(t.scope, t.key), index('worker_configs_worker').on(t.workerId)]);

export const workerStatus = mysqlTable('worker_status', {
  workerId: varchar('worker_id', { length: 128 }).primaryKey(),
  state: varchar('state', { length: 32 }).notNull(),
  lastExecutionId: char('last_execution_id', { length: 36 }),
  lastStartedAt: datetime('last_started_at', ms),
  lastFinishedAt: datetime('last_finished_at', ms),
  lastResult: json('last_result'),
  lastError: text('last_error'),
  /** NULL until the first run finishes. */
  consecutiveFailures: int('consecutive_failures'),
  updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

export const executions = mysqlTable('executions', {
  id: ascii('char', 36)('id').primaryKey(),
  workerId: ascii('varchar', 128)('worker_id').notNull(),
  trigger: ascii('varchar', 16)('trigger').notNull(),
  params: json('params'),
  status: ascii('varchar', 16)('status').notNull(),
  attempt: int('attempt').notNull().default(0),
  progress: json('progress'),
  result: json('result'),
  error: text('error'),
  jobId: varchar('job_id', { length: 255 }),
  /** The run this one came from: the parent of a chained run, or the original of a retry (trigger `retry`). */
  parentExecutionId: ascii('char', 36)('parent_execution_id'),
  /** Token name of whoever triggered or retried the run through the API; NULL for cron fires and chained runs. */
  triggeredBy: varchar('triggered_by', { length: 128 }),
  /** Set on a failed run once it was retried: the id of its retry (a run is retried once; retry the retry next). */
  retriedAs: ascii('char', 36)('retried_as'),
  /** Ownership fence: a write carrying a lower fence than the row's is ignored (lost-lock protection). */
  fence: bigint('fence', { mode: 'number' }).notNull().default(0),
  /** Write order within one owner: batches may land out of order, the highest (fence, rev) wins. */
  rev: bigint('rev', { mode: 'number' }).notNull().default(0),
  queuedAt: datetime('queued_at', ms).notNull(),
  startedAt: datetime('started_at', ms),
  finishedAt: datetime('finished_at', ms),
  durationMs: int('duration_ms'),
}, (t) => [
  // Covers GET /stats (runs by status, duration and queue wait per bucket of one worker's time range) without
  // touching the rows; a prefix of it serves the per-worker time-range reads.
  index('executions_worker_queued_stats').on(t.workerId, t.queuedAt, t.status, t.durationMs, t.startedAt),
  index('executions_status').on(t.status),
  index('executions_worker_id').on(t.workerId, t.id),
]);

export const executionLogs = mysqlTable('execution_logs', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  executionId: char('execution_id', { length: 36 }),
  workerId: varchar('worker_id', { length: 128 }),
  level: varchar('level', { length: 10 }).notNull(),
  message: text('message').notNull(),
  meta: json('meta'),
  ts: datetime('ts', ms).notNull(),
}, (t) => [
  index('execution_logs_execution').on(t.executionId, t.id),
  index('execution_logs_worker_ts').on(t.workerId, t.ts),
  index('execution_logs_ts').on(t.ts),
]);

/**
 * One row per cron fire that started running: the durable unique key on (worker, fire time) that keeps a fire to
 * one run even after Bull trimmed its completed job (JOB_KEEP_COMPLETED) and the fire was enqueued again (a beat
 * failover, a catch-up). `job_created_at` names the enqueue that claimed it, so that job's retries still run.
 */
export const cronFires = mysqlTable('cron_fires', {
  workerId: ascii('varchar', 128)('worker_id').notNull(),
  fireAt: datetime('fire_at', ms).notNull(),
  executionId: ascii('char', 36)('execution_id').notNull(),
  jobCreatedAt: bigint('job_created_at', { mode: 'number' }).notNull(),
  claimedAt: datetime('claimed_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
}, (t) => [primaryKey({ columns: [t.workerId, t.fireAt] })]);

/**
 * Hourly rollup of executions for GET /stats: per worker, hour (of queued_at) and status, the run count and a
 * log-scale histogram of run time (metric `d`) — or, with status '', of queue wait (metric `w`) — as
 * `bin:count` pairs, so a week of one worker is a few hundred short rows. Filled for hours that are over
 * (STATS_SEAL_AFTER_MS) and hold no queued or running run; see app/core/api/data/stats-rollup.ts.
 */
export const executionStatsHourly = mysqlTable('execution_stats_hourly', {
  workerId: ascii('varchar', 128)('worker_id').notNull(),
  hour: datetime('hour').notNull(),
  metric: ascii('char', 1)('metric').notNull(),
  status: ascii('varchar', 16)('status').notNull(),
  n: int('n').notNull(),
  bins: text('bins').notNull(),
}, (t) => [primaryKey({ columns: [t.workerId, t.hour, t.metric, t.status] })]);

/** Hours of a worker whose rollup is complete ("sealed"): GET /stats reads them from the rollup, not the rows. */
export const executionStatsHours = mysqlTable('execution_stats_hours', {
  workerId: ascii('varchar', 128)('worker_id').notNull(),
  hour: datetime('hour').notNull(),
  sealedAt: datetime('sealed_at', ms).notNull(),
}, (t) => [primaryKey({ columns: [t.workerId, t.hour] })]);

/** Who changed what through the API (SPEC §6): one row per mutating request an authenticated token made. */
export const auditLog = mysqlTable('audit_log', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  ts: datetime('ts', ms).notNull(),
  tokenName: varchar('token_name', { length: 128 }).notNull(),
  role: varchar('role', { length: 16 }).notNull(),
  method: varchar('method', { length: 8 }).notNull(),
  /** The route pattern (`/workers/:id/trigger`); `url` is the concrete path. */
  route: varchar('route', { length: 255 }).notNull(),
  url: varchar('url', { length: 1024 }).notNull(),
  workerId: varchar('worker_id', { length: 128 }),
  statusCode: int('status_code').notNull(),
  /** Route params and body (secrets masked, size-capped), plus what the route reported it changed. */
  change: json('change'),
}, (t) => [index('audit_log_ts').on(t.ts), index('audit_log_token_ts').on(t.tokenName, t.ts), index('audit_log_worker_ts').on(t.workerId, t.ts)]);

export type ExecutionRow = typeof executions.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;
