/** Log search across runs: by worker, execution, level, time range and text; newest first, cursor = log id. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { toLogLine, type LogLine, type Page } from './executions.query';

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

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchLogs(pool: Pool, s: LogSearch): Promise<Page<LogLine>> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    args.push(...values);
  };
  if (s.workerId) add('worker_id = ?', s.workerId);
  if (s.executionId) add('execution_id = ?', s.executionId);
  if (s.levels?.length) add('level IN (?)', s.levels);
  if (s.since) add('ts >= ?', new Date(s.since));
  if (s.until) add('ts <= ?', new Date(s.until));
  if (s.q) add("message LIKE ? ESCAPE '\\\\'", `%${likeEscape(s.q)}%`);
  if (s.cursor !== undefined) add('id < ?', s.cursor);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, execution_id, worker_id, level, message, meta, ts FROM execution_logs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...args, s.limit + 1],
  );
  const items = rows.slice(0, s.limit).map(toLogLine);
  return { items, nextCursor: rows.length > s.limit && items.length ? String(items[items.length - 1].id) : null };
}
