/** The soak's figures, computed from what the run left in MySQL (pure helpers, so they are easy to check). */

/** The p-th percentile (0–100) of `values` (nearest rank); 0 when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface SoakCounts {
  /** Jobs the soak enqueued. */
  enqueued: number;
  /** Executions that reached succeeded/failed. */
  final: number;
  /** Jobs whose run logged more than once (re-run after a kill or a lost completion: at-least-once delivery). */
  duplicated: number;
}

export interface SoakLine {
  minutes: number;
  jobs: number;
  lost: number;
  duplicated: number;
  failed: number;
  balanceJobs: { started: number; completed: number };
  crawls: { started: number; succeeded: number };
  kills: number;
  redisRestarts: number;
  maxRssMb: Record<string, number>;
  p99LatencyMs: number;
  p50LatencyMs: number;
}

export function lostJobs(c: SoakCounts): number {
  return Math.max(0, c.enqueued - c.final);
}
