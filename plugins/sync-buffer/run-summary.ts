/**
 * A per-run summary file that several processes update at once: each update is merged under a cross-process lock
 * (counters add up, day lists are unioned), then written atomically, so no process overwrites another's counts.
 */
import path from 'node:path';
import { readJson, withLockWaiting, writeJsonAtomic, type LockTuning } from './files';

export interface RunSummary {
  runId: string;
  counters: Record<string, number>;
  /** Named sets of strings, e.g. `buffered_days`, `failed_days`. */
  lists: Record<string, string[]>;
  updatedAt: string;
}

export interface SummaryDelta {
  counters?: Record<string, number>;
  lists?: Record<string, string[]>;
}

export class RunSummaries {
  private readonly dir: string;
  private readonly lockDir: string;

  constructor(root: string, private readonly tuning: LockTuning = {}) {
    this.dir = path.join(root, 'summaries');
    this.lockDir = path.join(root, 'locks');
  }

  /** Adds `delta` to the run's summary; resolves to the merged summary. */
  async merge(runId: string, delta: SummaryDelta): Promise<RunSummary> {
    const name = `summary-${runId.replace(/[^a-z0-9_-]/gi, '_')}`;
    return withLockWaiting(this.lockDir, name, this.tuning, `the summary of run ${runId}`, async () => {
      const file = this.fileOf(runId);
      const current = (await readJson<RunSummary>(file)) ?? { runId, counters: {}, lists: {}, updatedAt: '' };
      for (const [k, v] of Object.entries(delta.counters ?? {})) current.counters[k] = (current.counters[k] ?? 0) + v;
      for (const [k, values] of Object.entries(delta.lists ?? {})) current.lists[k] = [...new Set([...(current.lists[k] ?? []), ...values])].sort();
      current.updatedAt = new Date().toISOString();
      await writeJsonAtomic(file, current);
      return current;
    });
  }

  async read(runId: string): Promise<RunSummary | undefined> {
    return readJson<RunSummary>(this.fileOf(runId));
  }

  private fileOf(runId: string): string {
    return path.join(this.dir, `${runId.replace(/[^a-z0-9_-]/gi, '_')}.json`);
  }
}
