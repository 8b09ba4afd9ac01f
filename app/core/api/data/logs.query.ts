/** Log search across runs: by worker, execution, level, time range and text; newest first, cursor = log id. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { toLogLine, type LogLine, type Page } from './executions.query';
import { Where } from './sql-where';

export interface LogSearch {
  workerId?: string;
  executionId?: string;
  levels?: string[];
  since?: string;
  until?: string;
  /** Substring of the message. */
  q?: string;
  cursor?: number;
  limit: number;
}

export async function searchLogs(pool: Pool, s: LogSearch): Promise<Page<LogLine>> {
  const w = new Where();
  if (s.workerId) w.add('worker_id = ?', s.workerId);
  if (s.executionId) w.add('execution_id = ?', s.executionId);
  if (s.levels?.length) w.add('level IN (?)', s.levels);
  if (s.since) w.add('ts >= ?', new Date(s.since));
  if (s.until) w.add('ts <= ?', new Date(s.until));
  if (s.q) w.contains('message', s.q);
  if (s.cursor !== undefined) w.add('id < ?', s.cursor);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, execution_id, worker_id, level, message, meta, ts FROM execution_logs${w.sql} ORDER BY id DESC LIMIT ?`,
    [...w.args, s.limit + 1],
  );
  const items = rows.slice(0, s.limit).map(toLogLine);
  return { items, nextCursor: rows.length > s.limit && items.length ? String(items[items.length - 1].id) : null };
}
