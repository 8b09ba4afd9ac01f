/**
 * GET /stats over a large executions table (SPEC §10: 10 million rows, a 7-day query under 1 s).
 *
 * Rows are generated inside MariaDB with INSERT … SELECT from its sequence engine (seq_1_to_N), in chunks, with
 * the secondary indexes dropped during the load and the stats index built once afterwards (a sorted build is far
 * faster than 10 M random inserts). The other secondary indexes are not rebuilt: the stats query reads only
 * executions_worker_queued_stats, so they change nothing for it.
 *
 * Then the hourly rollup is built for hours that are over, as the API does in the background while they end
 * (timed separately: it runs once per hour of data, not per request).
 *
 * Figures: the real route through Fastify (auth, validation, both GROUP BY scans, serialization) for one worker's
 * last 7 days in hourly buckets — the first (cold) call and the median of the next ones — next to a bare
 * `SELECT COUNT(*)` over the same index range in the same run (the least any query of that range costs), and one
 * all-workers call over the whole table.
 *
 *   npm run bench -- stats [--rows 10000000] [--workers 10] [--days 7] [--runs 5] [--keep (leave the database for a look)]
 */
import 'reflect-metadata';
import mysql from 'mysql2/promise';
import { Schedule, ScheduleWorker } from '../app';
import { buildApiApp } from '../app/core/api/app';
import { Container } from '../app/core/runtime/container';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { StatsRollup } from '../app/core/api/data/stats-rollup';
import { dropIsolated, intArg, isolatedNames, percentile, REDIS_URL, report, round } from './support';

const ROWS = intArg('rows', 10_000_000);
const WORKERS = intArg('workers', 10);
const DAYS = intArg('days', 7);
const RUNS = intArg('runs', 5);
const CHUNK = 1_000_000;
const TOKEN = 'bench-admin-token';

/** One no-op schedule worker per generated worker id (w0, w1, …), so the API knows them all. */
function benchWorkers(): Function[] {
  return Array.from({ length: WORKERS }, (_, i) => {
    const cls = class extends ScheduleWorker {
      run() {
        return null;
      }
    };
    Schedule({ id: `w${i}`, description: 'bench worker' })(cls);
    return cls;
  });
}

const log = (m: string): boolean => process.stderr.write(`[stats] ${m}\n`);

/** Spreads ROWS runs over the last DAYS days, round-robin over WORKERS workers; ~5 % failed, ~1 % timed out. */
async function generate(conn: mysql.Connection, end: Date): Promise<number> {
  const spanUs = DAYS * 86_400_000_000;
  const start = new Date(end.getTime() - DAYS * 86_400_000);
  await conn.query('ALTER TABLE executions DROP INDEX executions_status, DROP INDEX executions_worker_id, DROP INDEX executions_worker_queued_stats');
  const t0 = performance.now();
  for (let from = 1; from <= ROWS; from += CHUNK) {
    const to = Math.min(ROWS, from + CHUNK - 1);
    await conn.query(
      `INSERT INTO executions (id, worker_id, \`trigger\`, status, attempt, queued_at, started_at, finished_at, duration_ms)
       SELECT CONCAT(LPAD(HEX(seq), 8, '0'), '-0000-7000-8000-', LPAD(HEX(seq), 12, '0')), CONCAT('w', seq % ?), 'cron',
         CASE WHEN seq % 100 = 0 THEN 'timed_out' WHEN seq % 20 = 0 THEN 'failed' ELSE 'succeeded' END, 1, q,
         q + INTERVAL w MICROSECOND, q + INTERVAL (w + d * 1000) MICROSECOND, d
       FROM (SELECT seq, ? + INTERVAL FLOOR(seq * ? / ?) MICROSECOND AS q, (seq * 7919) % 250000 AS w, 5 + (seq * 104729) % 5000 AS d
             FROM seq_${from}_to_${to}) g`,
      [WORKERS, start, spanUs, ROWS],
    );
    log(`${to.toLocaleString()} rows`);
  }
  const loadS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await conn.query('ALTER TABLE executions ADD INDEX executions_worker_queued_stats (worker_id, queued_at, status, duration_ms, started_at)');
  log(`index built in ${round((performance.now() - t1) / 1000)} s`);
  return loadS;
}

async function main(): Promise<void> {
  const names = isolatedNames('stats');
  const env = { ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, LOG_LEVEL: 'warn', API_TOKENS: `bench:admin:${TOKEN}`, API_RATE_LIMIT_MAX: '100000000', STATS_SEAL_INTERVAL_MS: '0' };
  const registry = buildRegistry(benchWorkers().map((cls) => ({ decl: declarationOf(cls)!, file: __filename })), { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const c = new Container({ role: 'bench-stats', env, registry, console: false });
  const conn = await mysql.createConnection({ uri: names.databaseUrl.replace(/\/[^/]+$/, '/'), timezone: 'Z' });
  try {
    await c.init();
    await c.mirror.seedRegistry(registry);
    await conn.query(`USE \`${names.database}\``);
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const loadS = await generate(conn, end);
    // What every API process does in the background as hours end (STATS_SEAL_INTERVAL_MS), done here at once.
    const tSeal = performance.now();
    const sealedHours = await new StatsRollup(c.core.pool, { sealAfterMs: c.settings.STATS_SEAL_AFTER_MS })
      .seal(registry.schedules.map((s) => s.id), end.getTime() - DAYS * 86_400_000, end.getTime());
    const rollupS = (performance.now() - tSeal) / 1000;
    log(`rolled up ${sealedHours} worker-hours in ${round(rollupS)} s`);
    const app = await buildApiApp(c);
    const from = new Date(end.getTime() - 7 * 86_400_000).toISOString();
    const url = `/stats?workerId=w0&from=${from}&to=${end.toISOString()}&step=3600`;
    const call = async (u: string): Promise<{ ms: number; total: number; buckets: number }> => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: u, headers: { authorization: `Bearer ${TOKEN}` } });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`GET ${u} answered ${res.statusCode}: ${res.body}`);
      const { buckets } = res.json() as { buckets: Array<{ total: number }> };
      return { ms, total: buckets.reduce((n, b) => n + b.total, 0), buckets: buckets.length };
    };
    // The process's first call compiles the route's validator and serializer: done on another worker's last hour,
    // so `cold` is the first read of this worker's week (its rollup and index pages not yet in the buffer pool).
    const firstCallMs = (await call(`/stats?workerId=w1&from=${new Date(end.getTime() - 3_600_000).toISOString()}&to=${end.toISOString()}`)).ms;
    const cold = await call(url);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push((await call(url)).ms);
    warm.sort((a, b) => a - b);
    const countMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await conn.query('SELECT COUNT(*) FROM executions FORCE INDEX (executions_worker_queued_stats) WHERE worker_id = ? AND queued_at >= ? AND queued_at < ?', ['w0', new Date(from), end]);
      countMs.push(performance.now() - t);
    }
    countMs.sort((a, b) => a - b);
    // Every worker at once: the whole table.
    const all = await call(`/stats?from=${from}&to=${end.toISOString()}&step=3600`);
    await app.close();
    const median = percentile(warm, 50);
    report({
      bench: 'stats', rows: ROWS, workers: WORKERS, days: DAYS, rowsInWindow: cold.total, buckets: cold.buckets, loadSeconds: round(loadS), loadRowsPerS: Math.round(ROWS / loadS), rollupSeconds: round(rollupS), sealedWorkerHours: sealedHours,
      processFirstCallMs: round(firstCallMs), coldMs: round(cold.ms), warmMedianMs: round(median), warmMaxMs: round(warm[warm.length - 1]), bareCountMedianMs: round(percentile(countMs, 50)),
      ratioToBareCount: round(median / percentile(countMs, 50), 2), allWorkersMs: round(all.ms), allWorkersRows: all.total,
      under1s: median < 1000 && cold.ms < 1000,
    });
  } finally {
    await conn.end().catch(() => undefined);
    await c.close();
    if (process.argv.includes('--keep')) log(`kept database ${names.database}`);
    else await dropIsolated(names);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
