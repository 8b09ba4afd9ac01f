/**
 * The log path (SPEC §5): winston everywhere; a transport hands each record to a bounded queue that a
 * background flusher writes into execution_logs with multi-row inserts.
 */
import winston from 'winston';
import Transport from 'winston-transport';
import 'winston-daily-rotate-file';
import type { Pool } from 'mysql2/promise';
import { BatchWriter } from '../../../plugins/batcher';
import { isPermanentMysqlError } from '../database/errors';
import { Redactor } from './redact';

export interface LogRecord {
  executionId: string | null;
  workerId: string | null;
  level: string;
  message: string;
  meta: Record<string, unknown> | null;
  ts: Date;
}

export interface LogWriterOptions {
  batchSize: number;
  concurrency?: number;
  flushIntervalMs: number;
  maxQueued: number;
  reportIntervalMs: number;
  onReport: (message: string, meta: Record<string, unknown>) => void;
  /** Caps messages and meta (the logger has already masked secrets). @defaultValue limits of DEFAULT_LIMITS */
  redactor?: Redactor;
}

export function createLogWriter(pool: Pool, opts: LogWriterOptions): BatchWriter<LogRecord> {
  const redactor = opts.redactor ?? new Redactor();
  return new BatchWriter<LogRecord>({
    name: 'execution_logs',
    batchSize: opts.batchSize,
    concurrency: opts.concurrency,
    flushIntervalMs: opts.flushIntervalMs,
    maxQueued: opts.maxQueued,
    reportIntervalMs: opts.reportIntervalMs,
    onReport: opts.onReport,
    isPermanent: isPermanentMysqlError,
    write: async (records) => {
      // Capping happens here, off the caller's path: the JSON text is made once, for the insert.
      const rows = records.map((r) => [r.executionId, r.workerId, r.level, redactor.text(r.message), r.meta ? capJson(r.meta, redactor) : null, r.ts]);
      await pool.query('INSERT INTO execution_logs (execution_id, worker_id, level, message, meta, ts) VALUES ?', [rows]);
    },
  });
}

function capJson(meta: Record<string, unknown>, redactor: Redactor): string {
  const text = JSON.stringify(meta);
  return text.length * 3 <= redactor.limits.maxBytes ? text : redactor.json(meta) ?? 'null';
}

const RESERVED = new Set(['level', 'message', 'executionId', 'workerId', 'timestamp', 'stored']);

/** Hands every winston record to the batch writer; never waits for MySQL. */
export class ExecutionLogTransport extends Transport {
  constructor(private readonly sink: { push(r: LogRecord): void }, level?: string) {
    super({ level });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    // Records marked stored=false are console-only (e.g. reports about the log path itself).
    if (info.stored !== false) {
      let meta: Record<string, unknown> | null = null;
      for (const key of Object.keys(info)) {
        if (RESERVED.has(key)) continue;
        (meta ??= {})[key] = info[key];
      }
      this.sink.push({
        executionId: (info.executionId as string | undefined) ?? null,
        workerId: (info.workerId as string | undefined) ?? null,
        level: String(info.level),
        message: typeof info.message === 'string' ? info.message : JSON.stringify(info.message),
        meta,
        ts: new Date(),
      });
    }
    next();
  }
}

export interface LoggerOptions {
  level: string;
  format: 'pretty' | 'json' | string;
  dir: string;
  retentionDays: number;
  /** Where records go to be stored in execution_logs; absent = console/file only. */
  sink?: { push(r: LogRecord): void };
  /** Console output; off in benchmarks. @defaultValue true */
  console?: boolean;
  /** Masks secret-looking keys and known secret values in every record, before any transport sees it. */
  redactor?: Redactor;
}

const FORMAT_OWN = new Set(['level', 'message', 'timestamp', 'workerId', 'executionId', 'stored']);

/**
 * The logger-level format: every record is redacted once, before console, file and execution_logs see it. Known
 * secret values are masked in the message and in every meta string, even under innocent keys (a worker that logs
 * a secret by mistake), and secret-looking keys are masked at any depth.
 */
export const redactRecord = (redactor: Redactor): winston.Logform.Format => winston.format((info) => {
  if (typeof info.message === 'string') info.message = redactor.maskText(info.message);
  for (const key of Object.keys(info)) {
    if (!FORMAT_OWN.has(key)) info[key] = redactor.field(key, info[key]);
  }
  return info;
})();

const pretty = winston.format.printf((info) => {
  const scope = [info.workerId, info.executionId && String(info.executionId).slice(0, 8)].filter(Boolean).join('/');
  const { level, message, timestamp, workerId: _w, executionId: _e, stored: _s, ...rest } = info;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level}${scope ? ` [${scope}]` : ''} ${String(message)}${extra}`;
});

export function createLogger(opts: LoggerOptions): winston.Logger {
  const transports: Transport[] = [];
  if (opts.console !== false) {
    transports.push(new winston.transports.Console({
      format: opts.format === 'json'
        ? winston.format.combine(winston.format.timestamp(), winston.format.json())
        : winston.format.combine(winston.format.timestamp(), winston.format.colorize(), pretty),
    }));
  }
  if (opts.dir) {
    transports.push(new winston.transports.DailyRotateFile({
      dirname: opts.dir,
      filename: 'sluice-%DATE%.log',
      datePattern: 'YYYY-MM-DD',
      maxFiles: `${opts.retentionDays}d`,
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    }));
  }
  if (opts.sink) transports.push(new ExecutionLogTransport(opts.sink));
  return winston.createLogger({ level: opts.level, format: redactRecord(opts.redactor ?? new Redactor()), transports, exitOnError: false });
}
