/**
 * GET /stats: runs by status, p50/p95 run duration and p50/p95 queue wait per time bucket, from MySQL.
 *
 * Both queries read only the index executions_worker_queued_stats (worker_id, queued_at, status, duration_ms,
 * started_at): a range scan of one worker's time window, grouped in the server. Percentiles come from a
 * log-scale histogram computed in the same GROUP BY (bins 5 % wide, the estimate is the bin's geometric middle), so
 * a bucket of a million runs costs a few hundred groups instead of a million rows sent to Node or a sort per bucket.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';

/** Bins per e-fold of the value: exp(1/K) ≈ 1.05, so a bin is 5 % wide. */
const K = 20.5;

export interface StatsRequest {
  workerIds: string[];
  from: Date;
  to: Date;
  stepSeconds: number;
}

export interface StatsBucket {
  start: string;
  total: number;
  counts: Record<string, number>;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  waitP50Ms: number | null;
  waitP95Ms: number | null;
}

export interface StatsView {
  from: string;
  to: string;
  stepSeconds: number;
  statuses: string[];
  buckets: StatsBucket[];
}

type Histogram = Map<number, number>;

/** The value at quantile p of a histogram of log bins (null when empty). */
export function histogramQuantile(h: Histogram | undefined, p: number): number | null {
  if (!h || !h.size) return null;
  const bins = [...h.entries()].sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((n, [, c]) => n + c, 0);
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bin, count] of bins) {
    seen += count;
    if (seen >= rank) return Math.max(0, Math.round(Math.exp((bin + 0.5) / K) - 1));
  }
  return null;
}

const bucketSql = 'FLOOR(TIMESTAMPDIFF(SECOND, ?, queued_at) / ?)';
const rangeSql = 'worker_id IN (?) AND queued_at >= ? AND queued_at < ?';

export async function queryStats(pool: Pool, r: StatsRequest): Promise<StatsView> {
  const range = [r.workerIds, r.from, r.to];
  const bucketArgs = [r.from, r.stepSeconds];
  // Two scans of the same index range, on two connections at once.
  const none: [RowDataPacket[], unknown] = [[], null];
  const [[byStatus], [waits]] = !r.workerIds.length ? [none, none] : await Promise.all([
    pool.query<RowDataPacket[]>(
      `SELECT ${bucketSql} AS b, status, IF(duration_ms IS NULL OR status = 'skipped', NULL, FLOOR(LN(duration_ms + 1) * ${K})) AS bin, COUNT(*) AS n
       FROM executions FORCE INDEX (executions_worker_queued_stats) WHERE ${rangeSql} GROUP BY b, status, bin`,
      [...bucketArgs, ...range],
    ),
    pool.query<RowDataPacket[]>(
      `SELECT ${bucketSql} AS b, FLOOR(LN(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, queued_at, started_at)) / 1000 + 1) * ${K}) AS bin, COUNT(*) AS n
       FROM executions FORCE INDEX (executions_worker_queued_stats) WHERE ${rangeSql} AND started_at IS NOT NULL GROUP BY b, bin`,
      [...bucketArgs, ...range],
    ),
  ]);
  const counts = new Map<number, Record<string, number>>();
  const durations = new Map<number, Histogram>();
  const waitBins = new Map<number, Histogram>();
  const statuses = new Set<string>();
  const add = (m: Map<number, Histogram>, b: number, bin: number, n: number): void => {
    let h = m.get(b);
    if (!h) m.set(b, (h = new Map()));
    h.set(bin, (h.get(bin) ?? 0) + n);
  };
  for (const row of byStatus) {
    const b = Number(row.b);
    const n = Number(row.n);
    statuses.add(row.status);
    const c = counts.get(b) ?? {};
    c[row.status] = (c[row.status] ?? 0) + n;
    counts.set(b, c);
    if (row.bin !== null) add(durations, b, Number(row.bin), n);
  }
  for (const row of waits) add(waitBins, Number(row.b), Number(row.bin), Number(row.n));
  const total = Math.ceil((r.to.getTime() - r.from.getTime()) / 1000 / r.stepSeconds);
  const buckets: StatsBucket[] = [];
  for (let b = 0; b < total; b++) {
    const c = counts.get(b) ?? {};
    buckets.push({
      start: new Date(r.from.getTime() + b * r.stepSeconds * 1000).toISOString(),
      total: Object.values(c).reduce((a, n) => a + n, 0),
      counts: c,
      durationP50Ms: histogramQuantile(durations.get(b), 0.5),
      durationP95Ms: histogramQuantile(durations.get(b), 0.95),
      waitP50Ms: histogramQuantile(waitBins.get(b), 0.5),
      waitP95Ms: histogramQuantile(waitBins.get(b), 0.95),
    });
  }
  return { from: r.from.toISOString(), to: r.to.toISOString(), stepSeconds: r.stepSeconds, statuses: [...statuses].sort(), buckets };
}

const NICE_STEPS = [60, 300, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800];

/** A step giving at most ~120 buckets for the range (the chart's default). */
export function defaultStep(rangeSeconds: number): number {
  return NICE_STEPS.find((s) => rangeSeconds / s <= 120) ?? NICE_STEPS[NICE_STEPS.length - 1];
}
