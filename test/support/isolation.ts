/**
 * Each test file gets its own MySQL database and Redis prefix, and removes both afterwards, so files run in
 * parallel against the shared servers without seeing each other.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';

export const MYSQL_ROOT = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnv {
  name: string;
  databaseUrl: string;
  redisPrefix: string;
  /** Settings for a container or a child process. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export function createTestEnv(label: string, extra: Record<string, string> = {}): TestEnv {
  const name = `sluice_t_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = `${MYSQL_ROOT}/${name}`;
  const redisPrefix = `${name}:`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DB_POOL_SIZE: '4',
    ...extra,
  };
  return {
    name, databaseUrl, redisPrefix, env,
    cleanup: async () => {
      await dropDatabase(name);
      // Plugin databases that follow the core one (<core>_ledger, <core>_market, …).
      await dropDatabasesLike(`${name}_`);
      await deleteKeys(redisPrefix);
    },
  };
}

/** Drops a database a test created beside its own (e.g. a plugin's user database). */
export async function dropDatabase(name: string): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_ROOT);
  await conn.query(`DROP DATABASE IF EXISTS \`${name.replace(/`/g, '')}\``);
  await conn.end();
}

/** Drops every database whose name starts with `prefix`. */
export async function dropDatabasesLike(prefix: string): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_ROOT);
  try {
    const [rows] = await conn.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix.replace(/[_%\\]/g, '\\$&')}%`]);
    for (const r of rows as Array<{ name: string }>) await conn.query(`DROP DATABASE IF EXISTS \`${r.name.replace(/`/g, '')}\``);
  } finally {
    await conn.end();
  }
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** Polls `fn` until it returns a truthy value; for state held in MySQL that no event announces. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
