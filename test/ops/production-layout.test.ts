/**
 * The production layout, proven: build from the Docker build context, lay out exactly what the Dockerfile's runtime stage copies (dist/, the core
 * migrations, production dependencies only), start run-api, run-worker and run-beat from it as ops do
 * (NODE_ENV=production, WORKERS_DIR=dist/workers, JSON logs), and complete a balance job and an example crawl.
 * Then the same layout without a plugin's migrations: /ready says not ready, naming the missing folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { seedLedger } from '../../workers/balance/ledger-seed';
import { startMarketSite, type MarketSite } from '../fakes/market-site';
import { startTradeFeed, type TradeFeed } from '../fakes/trade-feed';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { ROOT } from '../support/child';
import { layOutRuntimeImage } from './support/image-layout';
import { copyBuildContext } from './support/docker-context';
import { freePort, spawnNode, type NodeProcess } from './support/node-process';

const TOKEN = 'layout-admin-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let t: TestEnv;
let build: string;
let dir: string;
let imageEnv: Record<string, string>;
let site: MarketSite;
let feed: TradeFeed;
const procs: NodeProcess[] = [];

beforeAll(async () => {
  // The build stage: the build context (.dockerignore applied), its dependencies (npm ci), `npm run build`.
  build = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-build-'));
  copyBuildContext(ROOT, build);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: build, stdio: 'pipe' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-image-'));
  imageEnv = layOutRuntimeImage(build, dir);
  t = createTestEnv('layout');
  site = await startMarketSite();
  feed = await startTradeFeed({ intervalMs: 100 });
}, 120_000);
afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  await site?.close();
  await feed?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (build) fs.rmSync(build, { recursive: true, force: true });
  await t?.cleanup();
});

function start(entry: string, env: Record<string, string>, cwd = dir): NodeProcess {
  const p = spawnNode([`dist/${entry}.js`], { cwd, env });
  procs.push(p);
  return p;
}

async function api<T = Record<string, unknown>>(base: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${url}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

describe('the production layout (what the Dockerfile copies)', () => {
  it('holds only dist, the core migrations, var and production dependencies', () => {
    expect(fs.readdirSync(dir).sort()).toEqual(['dist', 'drizzle', 'node_modules', 'package-lock.json', 'package.json', 'var']);
    expect(fs.existsSync(path.join(dir, 'dist/workers/balance/drizzle/meta/_journal.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'node_modules/fastify'))).toBe(true);
    for (const dev of ['vitest', 'tsx', 'typescript', 'drizzle-kit']) expect(fs.existsSync(path.join(dir, 'node_modules', dev)), dev).toBe(false);
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', WORKERS_DIR: 'dist/workers', LOG_FORMAT: 'json' });
  });

  it('runs api, worker and beat from it: /ready, a balance job and an example crawl complete', async () => {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '', ...imageEnv, ...t.env, API_HOST: '127.0.0.1', API_PORT: String(port), API_TOKENS: `ops:admin:${TOKEN}`,
      EXAMPLES_ENABLED: 'true', FUND_NAV_URL: site.url, NEWS_URL: site.url, TRADE_FEED_URL: feed.url, SYNC_BUFFER_DIR: path.join(dir, 'var/sync-buffer'),
    };
    const apiProc = start('run-api', env);
    const worker = start('run-worker', env);
    const beat = start('run-beat', env);
    await apiProc.waitForLine(/API listening on/);
    await worker.waitForLine(/worker consuming/);
    await beat.waitForLine(/beat scheduling/);
    for (const line of [...apiProc.lines, ...worker.lines]) expect(() => JSON.parse(line), line).not.toThrow();
    const base = `http://127.0.0.1:${port}`;
    const ready = await eventually(async () => {
      const r = await api<{ status: string; checks: Record<string, { ok: boolean }> }>(base, 'GET', '/ready');
      return r.status === 200 ? r.body : undefined;
    }, { timeoutMs: 30_000, what: '/ready' });
    expect(Object.keys(ready.checks).sort()).toEqual(['database:ledger', 'database:market', 'mysql', 'redis']);

    // The ledger follows the core database's name, migrated by the processes from dist/workers/balance/drizzle.
    const ledger = mysql.createPool(`${t.databaseUrl}_ledger`);
    try {
      await seedLedger(ledger, { accounts: 300, entries: 2_000, date: '2026-03-03', days: 1, partitions: 10 });
    } finally {
      await ledger.end();
    }
    const job = await api<{ jobId: number }>(base, 'POST', '/plugins/balance/jobs', { date: '2026-03-03' });
    expect(job.status, JSON.stringify(job.body)).toBe(202);
    const closed = await eventually(async () => {
      const r = await api<{ status: string; accounts: number }>(base, 'GET', `/plugins/balance/jobs/${job.body.jobId}`);
      return ['completed', 'completed_with_failures', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, { timeoutMs: 60_000, what: 'the balance job to close' });
    expect(closed).toMatchObject({ status: 'completed', accounts: 300 });

    const crawl = await api<{ executionId: string }>(base, 'POST', '/workers/fund-nav/trigger', { params: { date: '2026-03-02' } });
    expect(crawl.status, JSON.stringify(crawl.body)).toBe(202);
    const run = await eventually(async () => {
      const r = await api<{ status: string; result: unknown }>(base, 'GET', `/executions/${crawl.body.executionId}`);
      return ['succeeded', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, { timeoutMs: 30_000, what: 'the fund-nav crawl' });
    expect(run).toMatchObject({ status: 'succeeded', result: { date: '2026-03-02', funds: 8 } });

    for (const p of [apiProc, worker, beat]) p.kill('SIGTERM');
    for (const p of [apiProc, worker, beat]) expect((await p.exited).code).toBe(0);
  }, 150_000);

  it('without a plugin\'s migrations /ready answers 503, naming what is missing', async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-image-broken-'));
    try {
      execFileSync('cp', ['-al', `${dir}/.`, broken]);
      fs.rmSync(path.join(broken, 'dist/workers/balance/drizzle'), { recursive: true });
      const port = await freePort();
      const env = { PATH: process.env.PATH ?? '', ...imageEnv, ...t.env, API_HOST: '127.0.0.1', API_PORT: String(port), API_TOKENS: `ops:admin:${TOKEN}`, LEDGER_DB_URL: `${t.databaseUrl}_ledger2` };
      const p = start('run-api', env, broken);
      await p.waitForLine(/API listening on/);
      const r = await api<{ status: string; checks: Record<string, { ok: boolean; error?: string }> }>(`http://127.0.0.1:${port}`, 'GET', '/ready');
      expect(r.status).toBe(503);
      expect(r.body.checks['database:ledger']).toMatchObject({ ok: false });
      expect(r.body.checks['database:ledger'].error).toMatch(/migrations of database 'ledger' not found: .*dist\/workers\/balance\/drizzle\/meta\/_journal\.json/);
      expect(r.body.checks.mysql.ok).toBe(true);
      // Outside dev the examples are opt-in: not loaded without EXAMPLES_ENABLED.
      expect(Object.keys(r.body.checks)).not.toContain('database:market');
      expect((await api(`http://127.0.0.1:${port}`, 'GET', '/workers/fund-nav')).status).toBe(404);
      p.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  }, 60_000);
});
