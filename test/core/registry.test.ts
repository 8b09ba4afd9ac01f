import path from 'node:path';
import { describe, expect, it, afterAll } from 'vitest';
import { discoverWorkers } from '../../app/core/registry/discovery';
import { buildRegistry, defaultWorkerId } from '../../app/core/registry/worker-registry';
import { sql } from 'drizzle-orm';
import { setDatabaseUrlResolver, closeAllDatabases } from '../../app/core/structures/database-base';
import { MYSQL_ROOT } from '../support/isolation';
import mysql from 'mysql2/promise';

const defaults = { timezone: 'Asia/Ho_Chi_Minh', timeoutMs: 3_600_000, attempts: 1, backoffMs: 1000 };
const fixture = (name: string) => path.resolve(__dirname, '../fixtures/registry', name);
const load = async (name: string) => buildRegistry(await discoverWorkers(fixture(name)), defaults);
const dbName = `sluice_t_fixture_${process.pid}`;

afterAll(async () => {
  await closeAllDatabases();
  const conn = await mysql.createConnection(MYSQL_ROOT);
  await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await conn.end();
});

describe('registry and discovery', () => {
  it('derives the id from the class name: kebab-case without a Worker suffix', () => {
    expect(defaultWorkerId('FundNavWorker')).toBe('fund-nav');
    expect(defaultWorkerId('HTTPNewsCrawlerWorker')).toBe('http-news-crawler');
    expect(defaultWorkerId('Ticks')).toBe('ticks');
  });

  it('discovers workers and the @Database they import, with defaults applied', async () => {
    const reg = await load('ok');
    const w = reg.schedule('daily-report');
    expect(w).toMatchObject({ cron: '*/5 * * * * *', timezone: 'UTC', overlap: 'skip', history: 'all', attempts: 1, timeoutMs: 3_600_000, concurrency: 1, catchUp: 'none' });
    expect(w?.file).toMatch(/ok\/db\/report\.worker\.ts$/);
    expect([...reg.databases.keys()]).toEqual(['fixture-db']);
  });

  it('gives a @Database class db(), execute() and ping() on its own pool', async () => {
    const reg = await load('ok');
    setDatabaseUrlResolver((key) => (key === 'FIXTURE_DB_URL' ? `${MYSQL_ROOT}/${dbName}` : undefined));
    const cls = reg.databases.get('fixture-db')!.cls as unknown as typeof import('../fixtures/registry/ok/db/ledger.database').FixtureDb;
    await cls.ready();
    await cls.ping();
    await cls.execute('CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY)');
    await cls.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t VALUES (1), (2)`);
    });
    const [rows] = (await cls.db().execute(sql`SELECT COUNT(*) AS n FROM t`)) as unknown as [Array<{ n: number }>];
    expect(Number(rows[0].n)).toBe(2);
  });

  it('fails the boot on a duplicate id, naming both files', async () => {
    await expect(load('dup')).rejects.toThrow(/Duplicate worker id "same-id": declared in .*dup\/a\.worker\.ts and again in .*dup\/b\.worker\.ts/);
  });

  it('fails the boot on an invalid cron, naming the file and the reason', async () => {
    await expect(load('badcron')).rejects.toThrow(/Invalid cron "61 \* \* \* \* \*" for worker "bad-cron" in .*badcron\/x\.worker\.ts/);
  });

  it('fails the boot on an unknown timezone', async () => {
    await expect(load('badtz')).rejects.toThrow(/Invalid timezone "Mars\/Olympus_Mons" for worker "bad-tz" in .*badtz\/x\.worker\.ts/);
  });

  it('fails the boot on a decorator on the wrong base class', async () => {
    await expect(load('wrongbase')).rejects.toThrow(/@Schedule on NotAWorker in .*wrongbase\/x\.worker\.ts: the class must extend ScheduleWorker/);
  });
});
