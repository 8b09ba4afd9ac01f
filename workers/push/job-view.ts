/** GET /plugins/push/jobs/:id: the job, its exact counts, and one page of per-token outcomes. */
import { jobCounts } from './jobs.repository';
import type { LogStatus, PushStore, TokenDoc } from './store';

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export interface OutcomePage {
  status?: LogStatus;
  cursor?: string;
  limit: number;
}

export async function jobView(store: PushStore, jobId: string, page: OutcomePage): Promise<Record<string, unknown> | null> {
  const job = await store.jobs.findOne({ _id: jobId }, { projection: { targetLists: 0 } });
  if (!job) return null;
  const { chunks, chunksDone, ...counts } = await jobCounts(store, jobId);
  const filter: Record<string, unknown> = { jobId };
  if (page.status) filter.status = page.status;
  if (page.cursor) filter._id = { $gt: page.cursor };
  const logs = await store.logs.find(filter).sort({ _id: 1 }).limit(page.limit + 1).toArray();
  const more = logs.length > page.limit;
  const shown = more ? logs.slice(0, page.limit) : logs;
  const end = job.finishedAt ?? null;
  return {
    jobId: job._id, status: job.status, dryRun: job.dryRun, messages: job.messages.length, targets: job.targets,
    chunks: { total: job.chunks ?? chunks, done: chunksDone }, counts,
    createdAt: iso(job.createdAt), startedAt: iso(job.startedAt), finishedAt: iso(end),
    durationMs: job.startedAt && end ? new Date(end).getTime() - new Date(job.startedAt).getTime() : null,
    error: job.error ?? null,
    outcomes: shown.map((l) => ({
      token: l.token, userId: l.userId, message: l.msg, status: l.status, attempts: l.attempts, deactivated: l.deactivated === true,
      errorCode: l.errorCode ?? null, error: l.error ?? null, at: iso(l.at)!,
    })),
    nextCursor: more ? shown[shown.length - 1]._id : null,
  };
}

export function tokenView(t: TokenDoc): Record<string, unknown> {
  return {
    token: t.token, userId: t.userId, platform: t.platform, app: t.app, device: t.device, active: t.active,
    lastSeenAt: iso(t.lastSeenAt), createdAt: iso(t.createdAt), deactivatedAt: iso(t.deactivatedAt), deactivationReason: t.deactivationReason ?? null,
  };
}
