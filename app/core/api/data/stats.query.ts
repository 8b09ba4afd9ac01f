/**
 * GET /stats: runs by status, p50/p95 run duration and p50/p95 queue wait per time bucket, from MySQL.
 *
 * Percentiles come from log-scale histograms (bins 5 % wide; the estimate is the bin's geometric middle), so a
 * bucket of a million runs is a few hundred numbers. Hour-aligned requests read sealed hours from the hourly rollup
 * (stats-rollup.ts) and only the rest — the last hours, hours with runs still going — from the rows; other requests
 * group the rows of the range. Row scans read only the index executions_worker_queued_stats.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { DURATION_BIN_SQL, floorHour, HOUR_MS, hourRuns, K, WAIT_BIN_SQL, type StatsRollup } from './stats-rollup';

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

type Histograms = Map<number, Histogram>;

/** What the rows and rollup rows add up to, per bucket index. */
class Accumulator {
  readonly counts = new Map<number, Record<string, number>>();
  readonly durations: Histograms = new Map();
  readonly waits: Histograms = new Map();
  readonly statuses = new Set<string>();

  status(b: number, status: string, n: number): void {
    this.statuses.add(status);
    const c = this.counts.get(b) ?? {};
    c[status] = (c[status] ?? 0) + n;
    this.counts.set(b, c);
  }

  bin(m: Histograms, b: number, bin: number, n: number): void {
    let h = m.get(b);
    if (!h) m.set(b, (h = new Map()));
    h.set(bin, (h.get(bin) ?? 0) + n);
  }
}

/** Groups the rows of some (worker, [a, b)) ranges into the accumulator, two scans on two connections at once. */
async function scanRows(pool: Pool, acc: Accumulator, ranges: Array<[string, number, number]>, r: StatsRequest): Promise<void> {
  if (!ranges.length) return;
  const where = ranges.map(() => '(worker_id = ? AND queued_at >= ? AND queued_at < ?)').join(' OR ');
  const args = ranges.flatMap(([w, a, b]) => [w, new Date(a), new Date(b)]);
  const bucket = 'FLOOR(TIMESTAMPDIFF(SECOND, ?, queued_at) / ?)';
  const head = [r.from, r.stepSeconds];
  const idx = 'FORCE INDEX (executions_worker_queued_stats)';
  const [[byStatus], [waits]] = await Promise.all([
    pool.query<RowDataPacket[]>(`SELECT ${bucket} AS b, status, ${DURATION_BIN_SQL} AS bin, COUNT(*) AS n FROM executions ${idx} WHERE ${where} GROUP BY b, status, bin`, [...head, ...args]),
    pool.query<RowDataPacket[]>(`SELECT ${bucket} AS b, ${WAIT_BIN_SQL} AS bin, COUNT(*) AS n FROM executions ${idx} WHERE (${where}) AND started_at IS NOT NULL GROUP BY b, bin`, [...head, ...args]),
  ]);
  for (const row of byStatus) {
    acc.status(Number(row.b), row.status, Number(row.n));
    if (Number(row.bin) >= 0) acc.bin(acc.durations, Number(row.b), Number(row.bin), Number(row.n));
  }
  for (const row of waits) acc.bin(acc.waits, Number(row.b), Number(row.bin), Number(row.n));
}

/** Sealed hours from the rollup; the other hours of each worker from its rows. */
async function fromRollup(pool: Pool, rollup: StatsRollup, acc: Accumulator, r: StatsRequest): Promise<void> {
  const from = r.from.getTime();
  const to = r.to.getTime();
  await rollup.seal(r.workerIds, from, to);
  const stepMs = r.stepSeconds * 1000;
  for (const row of await rollup.read(r.workerIds, from, to)) {
    const b = Math.floor((row.hour - from) / stepMs);
    if (row.metric === 'd') acc.status(b, row.status, row.n);
    const into = row.metric === 'd' ? acc.durations : acc.waits;
    for (const [bin, n] of row.bins) if (bin >= 0) acc.bin(into, b, bin, n);
  }
  const ranges: Array<[string, number, number]> = [];
  for (const w of r.workerIds) {
    const sealed = await rollup.sealedHours(w, from, to);
    const open: number[] = [];
    for (let h = from; h < to; h += HOUR_MS) if (!sealed.has(h)) open.push(h);
    for (const [a, b] of hourRuns(open)) ranges.push([w, a, Math.min(b, to)]);
  }
  await scanRows(pool, acc, ranges, r);
}

export async function queryStats(pool: Pool, r: StatsRequest, rollup?: StatsRollup): Promise<StatsView> {
  const acc = new Accumulator();
  const aligned = floorHour(r.from.getTime()) === r.from.getTime() && (r.stepSeconds * 1000) % HOUR_MS === 0;
  if (rollup && aligned) await fromRollup(pool, rollup, acc, r);
  else await scanRows(pool, acc, r.workerIds.map((w) => [w, r.from.getTime(), r.to.getTime()]), r);
  const total = Math.ceil((r.to.getTime() - r.from.getTime()) / 1000 / r.stepSeconds);
  const buckets: StatsBucket[] = [];
  for (let b = 0; b < total; b++) {
    const c = acc.counts.get(b) ?? {};
    buckets.push({
      start: new Date(r.from.getTime() + b * r.stepSeconds * 1000).toISOString(),
      total: Object.values(c).reduce((a, n) => a + n, 0),
      counts: c,
      durationP50Ms: histogramQuantile(acc.durations.get(b), 0.5),
      durationP95Ms: histogramQuantile(acc.durations.get(b), 0.95),
      waitP50Ms: histogramQuantile(acc.waits.get(b), 0.5),
      waitP95Ms: histogramQuantile(acc.waits.get(b), 0.95),
    });
  }
  return { from: r.from.toISOString(), to: r.to.toISOString(), stepSeconds: r.stepSeconds, statuses: [...acc.statuses].sort(), buckets };
}

const NICE_STEPS = [60, 300, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800];

/** A step giving at most ~120 buckets for the range (the chart's default). */
export function defaultStep(rangeSeconds: number): number {
  return NICE_STEPS.find((s) => rangeSeconds / s <= 120) ?? NICE_STEPS[NICE_STEPS.length - 1];
}
