/** Execution ids: UUIDv7 (48-bit ms timestamp first, the `uuid` package), so ids sort by creation time for cursor paging. */
import { createHash } from 'node:crypto';
import { v7 } from 'uuid';

/** A new id; without `at`, ids made in this process are strictly increasing (uuid's monotonic counter). */
export function newExecutionId(at?: Date): string {
  return at ? v7({ msecs: at.getTime() }) : v7();
}

/** The same (jobId, at) always gives the same id, so two processes enqueueing one cron fire write one row. */
export function deterministicExecutionId(jobId: string, at: Date): string {
  return v7({ msecs: at.getTime(), random: createHash('sha256').update(jobId).digest().subarray(0, 16) });
}
