import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { createTestEnv, dropDatabase, eventually } from '../support/isolation';
import { ROOT, spawnTs, type Child } from '../support/child';

const folder = `e2e-${randomBytes(3).toString('hex')}`;
const dir = path.join(ROOT, 'workers', folder);
const t = createTestEnv('dev');
const marketDb = `${t.name}_market`;
let dev: Child | undefined;

afterAll(async () => {
  dev?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), `${t.name}-dev-token`), { force: true });
  await dropDatabase(marketDb);
  await t.cleanup();
});

describe('npm run dev', () => {
  it('discovers a new worker file with no other file touched: it fires every second, succeeds and its ctx.log lines are stored', async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'tick.worker.ts'), `import { Schedule, ScheduleWorker, type RunContext } from '../../app';

@Schedule({ cron: '* * * * * *', description: 'e2e: fires every second' })
export class E2eTickWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    ctx.log.info('tick from a brand-new worker file');
    return { ok: true };
  }
}
`);
    dev = spawnTs('run-dev.ts', {
      ...t.env, API_PORT: '0', API_HOST: '127.0.0.1', MONGO_URL: '', FUND_NAV_URL: '', NEWS_URL: '', TRADE_FEED_URL: '',
      MARKET_DB_URL: t.databaseUrl.replace(/[^/]+$/, marketDb), DEV_TOKEN_FILE: path.join(os.tmpdir(), `${t.name}-dev-token`),
    });
    const listening = await dev.waitForLine(/API listening on http:\/\/127\.0\.0\.1:(\d+)/, 60_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(listening)![1];
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // Without MONGO_URL, dev mode serves MongoDB from the in-memory test server and /ready checks it.
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { mysql: { ok: true }, redis: { ok: true }, mongo: { ok: true } } });
    const conn = await mysql.createConnection(t.databaseUrl);
    try {
      const rows = await eventually(async () => {
        const [r] = await conn.query<RowDataPacket[]>("SELECT id, status FROM executions WHERE worker_id = 'e2e-tick' AND status = 'succeeded'");
        return r.length >= 2 ? r : undefined;
      }, { timeoutMs: 30_000, what: 'two succeeded executions of e2e-tick' });
      const [logs] = await conn.query<RowDataPacket[]>('SELECT message FROM execution_logs WHERE execution_id = ?', [rows[0].id]);
      expect(logs.map((l) => l.message)).toContain('tick from a brand-new worker file');
      const [w] = await conn.query<RowDataPacket[]>("SELECT kind, cron, source_file FROM workers WHERE id = 'e2e-tick'");
      expect(w[0]).toMatchObject({ kind: 'schedule', cron: '* * * * * *', source_file: `workers/${folder}/tick.worker.ts` });
      // The example crawlers and the trade listener, fed by the fakes dev mode starts, have data within 60 s.
      const market = await mysql.createConnection(t.databaseUrl.replace(/[^/]+$/, marketDb));
      try {
        await eventually(async () => {
          const [r] = await market.query<RowDataPacket[]>('SELECT (SELECT COUNT(*) FROM fund_nav) AS navs, (SELECT COUNT(*) FROM news) AS news, (SELECT COUNT(*) FROM trades) AS trades');
          return Number(r[0].navs) > 0 && Number(r[0].news) > 0 && Number(r[0].trades) > 0;
        }, { timeoutMs: 60_000, what: 'example rows' });
      } finally {
        await market.end();
      }
      const [ex] = await conn.query<RowDataPacket[]>("SELECT worker_id, status FROM executions WHERE worker_id IN ('fund-nav', 'news')");
      expect(ex.filter((e) => e.status === 'succeeded').map((e) => e.worker_id).sort()).toEqual(['fund-nav', 'news']);
    } finally {
      await conn.end();
    }
    dev.kill('SIGTERM');
    expect((await dev.exited).code).toBe(0);
  }, 120_000);
});
