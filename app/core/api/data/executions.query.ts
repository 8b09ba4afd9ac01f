/** Read side of executions and their log lines for the API: cursor-paginated, newest first. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { readJson } from '../../database/connection';
import { unsealHoursOf } from './stats-rollup';
import { Where } from './sql-where';

export interface ExecutionView {
  id: string;
  workerId: string;
  trigger: string;
  status: string;
  attempt: number;
  params: unknown;
  progress: unknown;
  result: unknown;
  error: string | null;
  jobId: string | null;
  parentExecutionId: string | null;
  /** Token name of whoever triggered or retried the run through the API; null for cron fires and chained runs. */
  triggeredBy: string | null;
  /** The id of this run's retry, once it was retried. */
  retriedAs: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface LogLine {
  id: number;
  executionId: string | null;
  workerId: string | null;
  level: string;
  message: string;
  meta: unknown;
  ts: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString() : d ? new Date(String(d)).toISOString() : null);

const EXEC_COLUMNS = 'id, worker_id, `trigger`, status, attempt, params, progress, result, error, job_id, parent_execution_id, triggered_by, retried_as, queued_at, started_at, finished_at, duration_ms';

export function toExecutionView(r: RowDataPacket): ExecutionView {
  return {
    id: r.id, workerId: r.worker_id, trigger: r.trigger, status: r.status, attempt: Number(r.attempt),
    params: readJson(r.params), progress: readJson(r.progress), result: readJson(r.result), error: r.error ?? null,
    jobId: r.job_id ?? null, parentExecutionId: r.parent_execution_id ?? null, triggeredBy: r.triggered_by ?? null, retriedAs: r.retried_as ?? null,
    queuedAt: iso(r.queued_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
  };
}

function toLogLine(r: RowDataPacket): LogLine {
  return { id: Number(r.id), executionId: r.execution_id ?? null, workerId: r.worker_id ?? null, level: r.level, message: r.message, meta: readJson(r.meta), ts: iso(r.ts)! };
}

/** Filters of the cross-worker run search (the dashboard's failed-runs view). */
export interface ExecutionSearch {
  workerId?: string;
  statuses?: string[];
  /** queued_at bounds (ISO). */
  from?: string;
  to?: string;
  /** Substring of the error text. */
  q?: string;
  /** true = only runs already retried, false = only runs not retried yet. */
  retried?: boolean;
}

/** WHERE clause and arguments of a search (every filter is optional). */
export function searchWhere(s: ExecutionSearch): { sql: string; args: unknown[] } {
  const w = new Where();
  if (s.workerId) w.add('worker_id = ?', s.workerId);
  if (s.statuses?.length) w.add('status IN (?)', s.statuses);
  if (s.from) w.add('queued_at >= ?', new Date(s.from));
  if (s.to) w.add('queued_at < ?', new Date(s.to));
  if (s.q) w.contains('error', s.q);
  if (s.retried !== undefined) w.add(s.retried ? 'retried_as IS NOT NULL' : 'retried_as IS NULL');
  return { sql: w.sql, args: w.args };
}

/** Takes `limit + 1` rows to learn whether a next page exists. */
function paged<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit && items.length ? cursorOf(items[items.length - 1]) : null };
}

export class ExecutionQueries {
  constructor(private readonly pool: Pool) {}

  async get(id: string): Promise<ExecutionView | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${EXEC_COLUMNS} FROM executions WHERE id = ?`, [id]);
    return rows[0] ? toExecutionView(rows[0]) : null;
  }

  async many(ids: string[]): Promise<Map<string, ExecutionView>> {
    if (!ids.length) return new Map();
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${EXEC_COLUMNS} FROM executions WHERE id IN (?)`, [ids]);
    return new Map(rows.map((r) => [r.id as string, toExecutionView(r)]));
  }

  /** A worker's runs, newest first (ids are UUIDv7, so id order is queue order); cursor = the last id seen. */
  async list(workerId: string, opts: { statuses?: string[]; cursor?: string; limit: number }): Promise<Page<ExecutionView>> {
    const where = ['worker_id = ?'];
    const args: unknown[] = [workerId];
    if (opts.statuses?.length) {
      where.push('status IN (?)');
      args.push(opts.statuses);
    }
    if (opts.cursor) {
      where.push('id < ?');
      args.push(opts.cursor);
    }
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${EXEC_COLUMNS} FROM executions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...args, opts.limit + 1]);
    return paged(rows.map(toExecutionView), opts.limit, (last) => last.id);
  }

  /** Runs of any worker matching the filters, newest first; cursor = the last id seen. */
  async search(s: ExecutionSearch, page: { cursor?: string; limit: number }): Promise<Page<ExecutionView>> {
    const w = searchWhere(s);
    const cursor = page.cursor ? `${w.sql ? ' AND' : ' WHERE'} id < ?` : '';
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${EXEC_COLUMNS} FROM executions${w.sql}${cursor} ORDER BY id DESC LIMIT ?`,
      [...w.args, ...(page.cursor ? [page.cursor] : []), page.limit + 1],
    );
    return paged(rows.map(toExecutionView), page.limit, (last) => last.id);
  }

  /** Ids of runs matching the filters, oldest first, at most `limit` (bulk actions). */
  async matchingIds(s: ExecutionSearch, limit: number): Promise<string[]> {
    const w = searchWhere(s);
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT id FROM executions${w.sql} ORDER BY id LIMIT ?`, [...w.args, limit]);
    return rows.map((r) => r.id as string);
  }

  /** Deletes runs and their log lines; returns how many execution rows went. */
  async remove(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      await unsealHoursOf(conn, ids);
      await conn.query('DELETE FROM execution_logs WHERE execution_id IN (?)', [ids]);
      const [res] = await conn.query('DELETE FROM executions WHERE id IN (?)', [ids]);
      await conn.commit();
      return (res as { affectedRows: number }).affectedRows;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /**
   * A run's log lines in the order they were logged: by ts, then id (batches are flushed in parallel, so ids
   * alone may be out of order). The cursor is `<ts ms>.<id>` of the last line seen.
   */
  async logs(executionId: string, opts: { cursor?: string; limit: number }): Promise<Page<LogLine>> {
    const args: unknown[] = [executionId];
    let after = '';
    const c = parseLogCursor(opts.cursor);
    if (c) {
      after = ' AND (ts > ? OR (ts = ? AND id > ?))';
      args.push(c.ts, c.ts, c.id);
    }
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, execution_id, worker_id, level, message, meta, ts FROM execution_logs WHERE execution_id = ?${after} ORDER BY ts, id LIMIT ?`,
      [...args, opts.limit + 1],
    );
    return paged(rows.map(toLogLine), opts.limit, (last) => `${Date.parse(last.ts)}.${last.id}`);
  }
}

export function parseLogCursor(cursor: string | undefined): { ts: Date; id: number } | null {
  const m = cursor ? /^(\d{1,15})\.(\d{1,20})$/.exec(cursor) : null;
  return m ? { ts: new Date(Number(m[1])), id: Number(m[2]) } : null;
}

export { toLogLine };
