/** The shared shape of a chaos run: N no-op jobs, api + worker child processes, and the checks of every run. */
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { Container } from '../../../app/core/runtime/container';
import { eventually } from '../../support/isolation';
import { ROOT, spawnTs, type Child } from '../../support/child';
import { freePort } from '../../ops/support/node-process';

export const CHAOS_WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers'));

/** Settings of a chaos run: quick stall recovery and flushes, so a restart settles within seconds. */
export const CHAOS_ENV = {
  WORKERS_DIR: CHAOS_WORKERS, QUEUE_LOCK_DURATION_MS: '4000', QUEUE_STALLED_INTERVAL_MS: '1000', QUEUE_DRAIN_DELAY_S: '1',
  EXECUTION_FLUSH_INTERVAL_MS: '50', LOG_FLUSH_INTERVAL_MS: '50', API_TOKENS: 'ops:admin:chaos-admin-token-0123456789', LOG_LEVEL: 'info',
};

export interface ChaosProcesses {
  api: Child;
  worker: Child;
  readyUrl: string;
  stop(): Promise<void>;
}

export async function startProcesses(env: Record<string, string>): Promise<ChaosProcesses> {
  const port = await freePort();
  const worker = spawnTs('run-worker.ts', { ...env });
  const api = spawnTs('run-api.ts', { ...env, API_HOST: '127.0.0.1', API_PORT: String(port) });
  await worker.waitForLine(/worker consuming/, 60_000);
  await api.waitForLine(/API listening on/, 60_000);
  return {
    api, worker, readyUrl: `http://127.0.0.1:${port}/ready`,
    async stop() {
      for (const c of [api, worker]) c.kill('SIGTERM');
      await Promise.all([api.exited, worker.exited]);
    },
  };
}

/** afterAll of a chaos file: kills what is left of the run, then closes the producer, the private server and the test env. */
export async function endChaosRun(parts: { procs?: ChaosProcesses; producer?: Container; server?: { destroy(): Promise<void> }; t?: { cleanup(): Promise<void> } }): Promise<void> {
  for (const c of [parts.procs?.api, parts.procs?.worker]) c?.kill('SIGKILL');
  await parts.producer?.close();
  await parts.server?.destroy();
  await parts.t?.cleanup();
}

export interface Readiness {
  status: number;
  checks: Record<string, { ok: boolean; error?: string }>;
}

export async function ready(url: string): Promise<Readiness> {
  const res = await fetch(url, { signal: AbortSignal.timeout(8_000) });
  const body = (await res.json()) as { checks: Readiness['checks'] };
  return { status: res.status, checks: body.checks };
}

/** Waits for /ready to answer 503 (the outage seen) and returns that answer. */
export function awaitOutage(readyUrl: string): Promise<Readiness> {
  return eventually(async () => {
    const r = await ready(readyUrl);
    return r.status === 503 ? r : undefined;
  }, { timeoutMs: 20_000, what: '/ready to report the outage' });
}

/** Enqueues `n` chaos jobs (in chunks, so the producer's batches stay small); returns their execution ids. */
export async function enqueue(producer: Container, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 500) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, k) => producer.dispatcher.trigger('chaos-noop', { n: i + k })))));
  }
  return ids;
}

export async function statusCounts(databaseUrl: string): Promise<Record<string, number>> {
  const conn = await mysql.createConnection(databaseUrl);
  try {
    const [rows] = await conn.query<RowDataPacket[]>("SELECT status, COUNT(*) AS n FROM executions WHERE worker_id = 'chaos-noop' GROUP BY status");
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  } finally {
    await conn.end();
  }
}

/** Waits until every job is final; then checks failed rows carry an error and every job's log line is stored. */
export async function expectAllRecorded(databaseUrl: string, n: number, timeoutMs: number): Promise<{ succeeded: number; failed: number; logs: number; errors: Record<string, number> }> {
  let last: Record<string, number> = {};
  await eventually(async () => {
    last = await statusCounts(databaseUrl).catch(() => last);
    return (last.succeeded ?? 0) + (last.failed ?? 0) === n;
  }, { timeoutMs, intervalMs: 500, what: `all ${n} jobs final (rows now ${JSON.stringify(last)})` });
  const conn = await mysql.createConnection(databaseUrl);
  try {
    const [failed] = await conn.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM executions WHERE worker_id = 'chaos-noop' AND status = 'failed' AND (error IS NULL OR error = '')");
    if (Number(failed[0].n)) throw new Error(`${failed[0].n} failed row(s) without an error`);
    const [distinct] = await conn.query<RowDataPacket[]>("SELECT COUNT(DISTINCT id) AS n FROM executions WHERE worker_id = 'chaos-noop'");
    if (Number(distinct[0].n) !== n) throw new Error(`${distinct[0].n} distinct executions, expected ${n}`);
    // Every job's line, once at least (a job re-run after a restart logs again).
    const logs = await eventually(async () => {
      const [r] = await conn.query<RowDataPacket[]>("SELECT COUNT(DISTINCT message) AS n FROM execution_logs WHERE worker_id = 'chaos-noop' AND message LIKE 'chaos job %'");
      return Number(r[0].n) === n ? Number(r[0].n) : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, what: `${n} distinct log lines` });
    const [errs] = await conn.query<RowDataPacket[]>("SELECT LEFT(error, 120) AS e, COUNT(*) AS n FROM executions WHERE worker_id = 'chaos-noop' AND status = 'failed' GROUP BY e");
    return { succeeded: last.succeeded ?? 0, failed: last.failed ?? 0, logs, errors: Object.fromEntries(errs.map((r) => [r.e, Number(r.n)])) };
  } finally {
    await conn.end();
  }
}
