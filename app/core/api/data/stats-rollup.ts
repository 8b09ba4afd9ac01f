/**
 * The hourly rollup behind GET /stats. Grouping a million index entries costs MariaDB about a second, so hours
 * that are over are summed once into execution_stats_hourly and read from there: a week of one worker is a few
 * thousand rollup rows instead of every run.
 *
 * An hour is sealed when it ended more than STATS_SEAL_AFTER_MS ago and none of its runs is queued or running;
 * the API seals due hours every STATS_SEAL_INTERVAL_MS (and a /stats request seals what it needs first).
 * Deleting runs through the API unseals their hours. Known limit: a run whose row first reaches MySQL more than
 * STATS_SEAL_AFTER_MS after it was queued (history 'failures' runs longer than that, or writes held back while
 * MySQL was down longer) is not counted in an hour already sealed.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';

export const HOUR_MS = 3_600_000;
/** Bins per e-fold of the value: exp(1/K) ≈ 1.05, so a bin is 5 % wide. */
export const K = 20.5;

export const HOUR_SQL = "DATE_FORMAT(queued_at, '%Y-%m-%d %H:00:00')";
export const DURATION_BIN_SQL = `IF(duration_ms IS NULL OR status = 'skipped', -1, FLOOR(LN(duration_ms + 1) * ${K}))`;
export const WAIT_BIN_SQL = `FLOOR(LN(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, queued_at, started_at)) / 1000 + 1) * ${K})`;
const IDX = 'FORCE INDEX (executions_worker_queued_stats)';

export const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Contiguous [start, end) ranges of the given sorted hour starts (ms). */
export function hourRuns(hours: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const h of hours) {
    const last = runs[runs.length - 1];
    if (last && last[1] === h) last[1] = h + HOUR_MS;
    else runs.push([h, h + HOUR_MS]);
  }
  return runs;
}

/** One rollup row: a worker-hour's runs of one status (metric d) or its queue waits (metric w). */
export interface RollupRow {
  hour: number;
  metric: 'd' | 'w';
  status: string;
  n: number;
  /** [bin, count] pairs; bin -1 = runs without a duration. */
  bins: Array<[number, number]>;
}

/** `3:10,-1:2` → [[3, 10], [-1, 2]]. */
export function parseBins(text: string): Array<[number, number]> {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const i = pair.indexOf(':');
    return [Number(pair.slice(0, i)), Number(pair.slice(i + 1))];
  });
}

export interface RollupOptions {
  sealAfterMs: number;
  /** Most hours one seal statement covers (keeps statements and their undo short). @defaultValue 24 */
  chunkHours?: number;
}

export class StatsRollup {
  constructor(private readonly pool: Pool, private readonly opts: RollupOptions) {}

  /** Sealed hours (ms) of a worker in [from, to). */
  async sealedHours(workerId: string, from: number, to: number): Promise<Set<number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT hour FROM execution_stats_hours WHERE worker_id = ? AND hour >= ? AND hour < ?', [workerId, new Date(from), new Date(to)]);
    return new Set(rows.map((r) => new Date(r.hour).getTime()));
  }

  /** Seals every due hour of the workers in [from, to) (hours not over yet are left alone). Returns hours sealed. */
  async seal(workerIds: string[], from: number, to: number, now = Date.now()): Promise<number> {
    const end = Math.min(floorHour(to + HOUR_MS - 1), floorHour(now - this.opts.sealAfterMs));
    const start = floorHour(from);
    let sealed = 0;
    for (const workerId of workerIds) {
      if (end <= start) break;
      const done = await this.sealedHours(workerId, start, end);
      const todo: number[] = [];
      for (let h = start; h < end; h += HOUR_MS) if (!done.has(h)) todo.push(h);
      for (const [a, b] of hourRuns(todo)) {
        for (let c = a; c < b; c += (this.opts.chunkHours ?? 24) * HOUR_MS) sealed += await this.sealRange(workerId, c, Math.min(b, c + (this.opts.chunkHours ?? 24) * HOUR_MS));
      }
    }
    return sealed;
  }

  /** Sums one worker's runs of [a, b) hour by hour, skipping hours that still have queued or running runs. */
  private async sealRange(workerId: string, a: number, b: number): Promise<number> {
    const range = [workerId, new Date(a), new Date(b)];
    const where = `worker_id = ? AND queued_at >= ? AND queued_at < ?`;
    const [open] = await this.pool.query<RowDataPacket[]>(`SELECT DISTINCT ${HOUR_SQL} AS h FROM executions ${IDX} WHERE ${where} AND status IN ('queued', 'running')`, range);
    const busy = new Set(open.map((r) => Date.parse(`${String(r.h).replace(' ', 'T')}Z`)));
    const hours: number[] = [];
    for (let h = a; h < b; h += HOUR_MS) if (!busy.has(h)) hours.push(h);
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      for (const [x, y] of hourRuns(hours)) {
        const r = [workerId, new Date(x), new Date(y)];
        // Recomputing a sealed hour gives the same numbers, so a concurrent sealer (another API) does no harm.
        await conn.query(
          `INSERT INTO execution_stats_hourly (worker_id, hour, metric, status, n, bins)
           SELECT worker_id, h, 'd', status, SUM(c), GROUP_CONCAT(bin, ':', c SEPARATOR ',') FROM (
             SELECT worker_id, ${HOUR_SQL} AS h, status, ${DURATION_BIN_SQL} AS bin, COUNT(*) AS c FROM executions ${IDX} WHERE ${where} GROUP BY worker_id, h, status, bin
           ) g GROUP BY worker_id, h, status ON DUPLICATE KEY UPDATE n = VALUES(n), bins = VALUES(bins)`, r);
        await conn.query(
          `INSERT INTO execution_stats_hourly (worker_id, hour, metric, status, n, bins)
           SELECT worker_id, h, 'w', '', SUM(c), GROUP_CONCAT(bin, ':', c SEPARATOR ',') FROM (
             SELECT worker_id, ${HOUR_SQL} AS h, ${WAIT_BIN_SQL} AS bin, COUNT(*) AS c FROM executions ${IDX} WHERE ${where} AND started_at IS NOT NULL GROUP BY worker_id, h, bin
           ) g GROUP BY worker_id, h ON DUPLICATE KEY UPDATE n = VALUES(n), bins = VALUES(bins)`, r);
      }
      if (hours.length) {
        const now = new Date();
        await conn.query('INSERT IGNORE INTO execution_stats_hours (worker_id, hour, sealed_at) VALUES ?', [hours.map((h) => [workerId, new Date(h), now])]);
      }
      await conn.commit();
      return hours.length;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /** Rollup rows of sealed hours of the workers in [from, to). */
  async read(workerIds: string[], from: number, to: number): Promise<RollupRow[]> {
    if (!workerIds.length) return [];
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT hour, metric, status, n, bins FROM execution_stats_hourly WHERE worker_id IN (?) AND hour >= ? AND hour < ?', [workerIds, new Date(from), new Date(to)]);
    return rows.map((r) => ({ hour: new Date(r.hour).getTime(), metric: r.metric, status: r.status, n: Number(r.n), bins: parseBins(String(r.bins)) }));
  }
}

/** Unseals the hours of runs about to be deleted (call before the DELETE, inside its transaction). */
export async function unsealHoursOf(conn: { query: Pool['query'] }, executionIds: string[]): Promise<void> {
  if (!executionIds.length) return;
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT DISTINCT worker_id, ${HOUR_SQL} AS h FROM executions WHERE id IN (?)`, [executionIds]);
  if (!rows.length) return;
  const pairs = rows.map((r) => [r.worker_id, r.h]);
  await conn.query('DELETE FROM execution_stats_hours WHERE (worker_id, hour) IN (?)', [pairs]);
  await conn.query('DELETE FROM execution_stats_hourly WHERE (worker_id, hour) IN (?)', [pairs]);
}
