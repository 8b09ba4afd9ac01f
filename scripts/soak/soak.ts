/**
 * `npm run soak -- --minutes N` (not part of npm test): every workload at once — a steady stream of no-op jobs,
 * nightly-balance jobs over a seeded ledger, the example crawlers against the fake site, the trade listener on the
 * fake feed — across api, beat and two worker processes, with random SIGKILLs of a worker and a restart of the
 * soak's own Redis (append-only, as in docker-compose.yml) half-way. Prints one JSON line: jobs, lost, duplicated,
 * max RSS per process, p99 job latency. Options: --minutes (10), --rate jobs/s (100), --verbose.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { Container } from '../../app/core/runtime/container';
import { seedLedger } from '../../workers/balance/ledger-seed';
import { ensureLedger } from '../../workers/balance/migrate';
import { startMarketSite } from '../../test/fakes/market-site';
import { startTradeFeed } from '../../test/fakes/trade-feed';
import { startRedis } from '../../test/chaos/support/servers';
import { freePort } from '../../test/ops/support/node-process';
import { Fleet } from './processes';
import { lostJobs, percentile, type SoakLine } from './report';

const ROOT = path.resolve(__dirname, '../..');
const MYSQL_ROOT = process.env.SOAK_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const TOKEN = `soak-${randomBytes(12).toString('hex')}`;
const DAYS = ['2026-04-01', '2026-04-02', '2026-04-03'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '100' }, verbose: { type: 'boolean', default: false } } });
const minutes = Number(args.minutes);
const rate = Number(args.rate);
if (!(minutes > 0) || !(rate > 0)) throw new Error('usage: npm run soak -- --minutes N [--rate jobs/s] [--verbose]');

/** A workers directory holding the real plugins and the soak's own no-op worker (symlinks). */
function workersDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-soak-workers-'));
  fs.symlinkSync(path.join(ROOT, 'workers/balance'), path.join(dir, 'balance'));
  fs.symlinkSync(path.join(ROOT, 'workers/examples'), path.join(dir, 'examples'));
  fs.symlinkSync(path.join(__dirname, 'workers'), path.join(dir, 'soak'));
  return dir;
}

async function query<T extends RowDataPacket>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await mysql.createConnection(url);
  try {
    return (await conn.query<T[]>(sql, params))[0];
  } finally {
    await conn.end();
  }
}

async function main(): Promise<void> {
  const core = `sluice_soak_${randomBytes(4).toString('hex')}`;
  const coreUrl = `${MYSQL_ROOT}/${core}`;
  const [redis, site, feed, port] = await Promise.all([startRedis(), startMarketSite(), startTradeFeed({ intervalMs: 50 }), freePort()]);
  const dir = workersDir();
  const env: Record<string, string> = {
    DATABASE_URL: coreUrl, REDIS_URL: redis.url, REDIS_PREFIX: `${core}:`, WORKERS_DIR: dir, EXAMPLES_ENABLED: 'true',
    FUND_NAV_URL: site.url, NEWS_URL: site.url, TRADE_FEED_URL: feed.url, API_TOKENS: `soak:admin:${TOKEN}`, API_HOST: '127.0.0.1',
    API_PORT: String(port), API_RATE_LIMIT_MAX: '1000000', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', MONGO_URL: '',
    QUEUE_LOCK_DURATION_MS: '5000', QUEUE_STALLED_INTERVAL_MS: '2000', LISTENER_LEASE_MS: '5000', SHUTDOWN_GRACE_MS: '5000',
    BALANCE_BATCH_SIZE: '500', EXAMPLES_HTTP_BACKOFF_MS: '50',
  };
  const producer = new Container({ role: 'soak', env: { ...process.env, ...env }, console: false });
  const fleet = new Fleet(env, args.verbose === true);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, url: string, body?: unknown): Promise<Record<string, unknown> | null> => {
    const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).catch(() => null);
    return res && res.ok ? ((await res.json()) as Record<string, unknown>) : null;
  };
  try {
    await producer.init();
    await producer.mirror.seedRegistry(producer.registry);
    await seedLedger(await ensureLedger(), { accounts: 5_000, entries: 30_000, date: DAYS[2], days: DAYS.length, partitions: 10 });
    fleet.start('api', 'run-api.ts');
    fleet.start('beat', 'run-beat.ts');
    const workers = [fleet.start('worker-1', 'run-worker.ts'), fleet.start('worker-2', 'run-worker.ts')];
    fleet.sampleRss();
    for (let i = 0; !(await call('GET', '/workers')); i++) {
      if (i > 600) throw new Error('the soak API did not come up within 60 s');
      await sleep(100);
    }

    const enqueued: string[] = [];
    const balanceIds: number[] = [];
    const crawlIds: string[] = [];
    let kills = 0;
    let redisRestarts = 0;
    const started = Date.now();
    const deadline = started + minutes * 60_000;
    let nextKill = started + 10_000 + Math.random() * 20_000;
    let nextBalance = started + 5_000;
    let nextCrawl = started + 3_000;
    let restarted = false;
    let n = 0;
    while (Date.now() < deadline) {
      const tick = Date.now();
      const batch = Math.max(1, Math.round(rate / 10));
      const ids = await Promise.allSettled(Array.from({ length: batch }, () => producer.dispatcher.trigger('soak-noop', { n: n++ })));
      for (const r of ids) if (r.status === 'fulfilled') enqueued.push(r.value);
      if (tick >= nextBalance) {
        nextBalance = tick + 30_000;
        const res = await call('POST', '/plugins/balance/jobs', { date: DAYS[balanceIds.length % DAYS.length] });
        if (res) balanceIds.push(Number(res.jobId));
      }
      if (tick >= nextCrawl) {
        nextCrawl = tick + 20_000;
        for (const id of ['fund-nav', 'news']) {
          const res = await call('POST', `/workers/${id}/trigger`, { params: id === 'fund-nav' ? { date: DAYS[0] } : {} });
          if (res) crawlIds.push(String(res.executionId));
        }
      }
      if (tick >= nextKill) {
        nextKill = tick + 15_000 + Math.random() * 30_000;
        const i = Math.floor(Math.random() * workers.length);
        workers[i] = fleet.restartHard(workers[i], 'run-worker.ts');
        kills++;
      }
      if (!restarted && tick >= started + (deadline - started) / 2) {
        restarted = true;
        await redis.stop();
        await sleep(2_000);
        await redis.start();
        redisRestarts++;
      }
      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }

    // Drain: every enqueued job final, or 120 s.
    const finalOf = async () => Number((await query(coreUrl, "SELECT COUNT(*) AS n FROM executions WHERE worker_id = 'soak-noop' AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled')"))[0].n);
    for (let i = 0; i < 240 && (await finalOf()) < enqueued.length; i++) await sleep(500);
    const final = await finalOf();
    const [failed] = await query(coreUrl, "SELECT COUNT(*) AS n FROM executions WHERE worker_id = 'soak-noop' AND status <> 'succeeded'");
    const errors = await query(coreUrl, "SELECT LEFT(error, 80) AS e, COUNT(*) AS n FROM executions WHERE worker_id = 'soak-noop' AND status <> 'succeeded' GROUP BY e ORDER BY n DESC LIMIT 3");
    const [dup] = await query(coreUrl, "SELECT COUNT(*) AS n FROM (SELECT message FROM execution_logs WHERE worker_id = 'soak-noop' GROUP BY message HAVING COUNT(*) > 1) d");
    const latencies = (await query(coreUrl, "SELECT TIMESTAMPDIFF(MICROSECOND, queued_at, finished_at) / 1000 AS ms FROM executions WHERE worker_id = 'soak-noop' AND status = 'succeeded'")).map((r) => Number(r.ms));
    const balance = await Promise.all(balanceIds.map((id) => call('GET', `/plugins/balance/jobs/${id}`)));
    const crawls = crawlIds.length ? await query(coreUrl, "SELECT COUNT(*) AS n FROM executions WHERE id IN (?) AND status = 'succeeded'", [crawlIds]) : [{ n: 0 }];
    const line: SoakLine & { crashes: string[]; failures: Record<string, number> } = {
      minutes, jobs: enqueued.length, lost: lostJobs({ enqueued: enqueued.length, final, duplicated: 0 }), duplicated: Number(dup.n), failed: Number(failed.n),
      balanceJobs: { started: balanceIds.length, completed: balance.filter((b) => b?.status === 'completed').length },
      crawls: { started: crawlIds.length, succeeded: Number(crawls[0].n) }, kills, redisRestarts,
      maxRssMb: Object.fromEntries(fleet.slots.map((s) => [s.name, Math.round(s.maxRssKb / 1024)])),
      p99LatencyMs: Math.round(percentile(latencies, 99)), p50LatencyMs: Math.round(percentile(latencies, 50)), crashes: fleet.crashes(),
      failures: Object.fromEntries(errors.map((r) => [String(r.e), Number(r.n)])),
    };
    console.log(JSON.stringify(line));
  } finally {
    await fleet.stopAll();
    await producer.close().catch(() => undefined);
    await Promise.all([site.close(), feed.close(), redis.destroy()]);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const db of [core, `${core}_ledger`, `${core}_market`]) await query(MYSQL_ROOT, `DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
