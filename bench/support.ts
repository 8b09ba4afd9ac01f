/** Shared bench helpers: an isolated database/prefix, percentiles, the one-line JSON output. */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';

export const MYSQL_ROOT = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function isolatedNames(label: string): { database: string; databaseUrl: string; prefix: string } {
  const database = `sluice_bench_${label}_${randomBytes(3).toString('hex')}`;
  return { database, databaseUrl: `${MYSQL_ROOT}/${database}`, prefix: `${database}:` };
}

export async function dropIsolated(names: { database: string; prefix: string }): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_ROOT);
  await conn.query(`DROP DATABASE IF EXISTS \`${names.database}\``);
  await conn.end();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${names.prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Prints the single JSON line of a benchmark on stdout (everything else goes to stderr). */
export function report(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
