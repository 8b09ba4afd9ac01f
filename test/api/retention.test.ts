/**
 * History retention: runs, cron fire claims, log lines and audit rows past their retention are deleted by the API
 * process's sweep; recent ones, and an old hour that still holds a running run, are kept; GET /stats over the
 * deleted range answers as before (from the rollup).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker } from '../../app';
import { eventually } from '../support/isolation';
import { asAdmin, startApiWithWorker, type ApiHarness } from './api-harness';
import type { Harness } from '../support/harness';

@Schedule({ id: 'ret-noop', description: 'does nothing' })
class NoopWorker extends ScheduleWorker {
  run() {
    return null;
  }
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
let api: ApiHarness & { h: Harness };

beforeAll(async () => {
  api = await startApiWithWorker('retention', [NoopWorker], {
    EXECUTION_RETENTION_DAYS: '30', EXECUTION_LOG_RETENTION_DAYS: '14', AUDIT_RETENTION_DAYS: '90', RETENTION_INTERVAL_MS: '100', RETENTION_BATCH: '7',
  });
});
afterAll(async () => api?.close());

const count = async (sql: string, params: unknown[] = []): Promise<number> => Number(((await api.h.pool.query(sql, params))[0] as Array<{ n: number }>)[0].n);

function run(status: string, queuedMs: number): unknown[] {
  const q = new Date(queuedMs);
  const done = status === 'running' ? null : new Date(queuedMs + 20);
  return [randomUUID(), 'ret-noop', 'manual', status, 1, q, new Date(queuedMs + 10), done, done ? 10 : null];
}

describe('history retention', () => {
  it('deletes what is past its retention, keeps the rest and an old hour with a running run, and /stats still counts the deleted runs', async () => {
    const now = Date.now();
    const oldHour = Math.floor((now - 40 * DAY) / HOUR) * HOUR;
    const stuckHour = oldHour + 5 * HOUR;
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => run(i % 4 === 0 ? 'failed' : 'succeeded', oldHour + i * 1000)),
      run('succeeded', stuckHour + 1000), run('running', stuckHour + 2000),
      ...Array.from({ length: 5 }, (_, i) => run('succeeded', now - 2 * DAY + i * 1000)),
    ];
    await api.h.pool.query('INSERT INTO executions (id, worker_id, `trigger`, status, attempt, queued_at, started_at, finished_at, duration_ms) VALUES ?', [rows]);
    await api.h.pool.query('INSERT INTO cron_fires (worker_id, fire_at, execution_id, job_created_at) VALUES ?', [[
      ['ret-noop', new Date(oldHour), randomUUID(), oldHour], ['ret-noop', new Date(now - DAY), randomUUID(), now - DAY],
    ]]);
    const logs = [...Array.from({ length: 10 }, () => new Date(now - 20 * DAY)), ...Array.from({ length: 3 }, () => new Date(now - DAY))];
    await api.h.pool.query('INSERT INTO execution_logs (execution_id, worker_id, level, message, ts) VALUES ?', [logs.map((ts) => [String(rows[0][0]), 'ret-noop', 'info', 'a line', ts])]);
    await api.h.pool.query('INSERT INTO audit_log (ts, token_name, role, method, route, url, status_code) VALUES ?', [[
      [new Date(now - 100 * DAY), 'ops', 'admin', 'POST', '/workers/:id/trigger', '/workers/ret-noop/trigger', 202], [new Date(now - DAY), 'ops', 'admin', 'POST', '/workers/:id/trigger', '/workers/ret-noop/trigger', 202],
    ]]);

    await eventually(async () => (await count('SELECT COUNT(*) AS n FROM audit_log WHERE ts < ?', [new Date(now - 90 * DAY)])) === 0 &&
      (await count('SELECT COUNT(*) AS n FROM executions WHERE worker_id = ? AND queued_at < ?', ['ret-noop', new Date(stuckHour)])) === 0,
    { timeoutMs: 15_000, intervalMs: 50, what: 'the retention sweep' });

    // The old hour's 20 runs went (in batches of 7); the hour with a running run keeps both; recent runs stay.
    expect(await count('SELECT COUNT(*) AS n FROM executions WHERE worker_id = ?', ['ret-noop'])).toBe(2 + 5);
    expect(await count('SELECT COUNT(*) AS n FROM executions WHERE worker_id = ? AND status = ?', ['ret-noop', 'running'])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM cron_fires WHERE worker_id = ?', ['ret-noop'])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM execution_logs WHERE worker_id = ?', ['ret-noop'])).toBe(3);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE token_name = 'ops' AND route = '/workers/:id/trigger'")).toBe(1);

    // GET /stats over the deleted hour answers from the rollup: the runs still count.
    const res = await api.app.inject({ method: 'GET', url: `/stats?workerId=ret-noop&from=${new Date(oldHour).toISOString()}&to=${new Date(oldHour + HOUR).toISOString()}&step=3600`, headers: asAdmin });
    expect(res.statusCode).toBe(200);
    expect(res.json().buckets[0]).toMatchObject({ total: 20, counts: { succeeded: 15, failed: 5 } });
  });
});
