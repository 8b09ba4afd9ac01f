/** Shared bench helpers: an isolated database/prefix, percentiles, the one-line JSON output. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** Busy and total jiffies of the whole machine (Linux /proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Waits until the machine is quiet: less than `maxBusy` of all cores busy over a 250 ms window (at most
 * `timeoutMs`). Between the sides of a bench, MariaDB flushing the rows one side wrote (or Redis freeing its keys)
 * would otherwise run during the next side's timed part. Resolves to the ms waited.
 */
export async function settle(maxBusy = 0.1, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const a = cpuTicks();
    await new Promise((r) => setTimeout(r, 250));
    const b = cpuTicks();
    const busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
    if (busy < maxBusy || performance.now() - started > timeoutMs) return Math.round(performance.now() - started);
  }
}
