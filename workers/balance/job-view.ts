/** What the API shows of a balance job. */
import { Type, type Static } from '@sinclair/typebox';
import type { BalanceJobRow, BatchRow } from './jobs.repository';

export const FailedBatch = Type.Object({
  partition: Type.Integer(), seq: Type.Integer(), fromId: Type.Integer(), toId: Type.Integer(), accounts: Type.Integer(),
  retries: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]),
});

export const JobView = Type.Object({
  jobId: Type.Integer(),
  date: Type.String(),
  status: Type.String({ description: 'queued | running | completed | completed_with_failures | failed' }),
  totalBatches: Type.Integer({ description: 'Batches cut so far (final once every partition is scanned)' }),
  batchesSucceeded: Type.Integer(),
  batchesFailed: Type.Integer(),
  accounts: Type.Integer(),
  partitions: Type.Union([Type.Integer(), Type.Null()]),
  partitionsScanned: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'finished − started (or now − started while running)' }),
  failedBatches: Type.Optional(Type.Array(FailedBatch, { description: 'Account ranges of the failed batches (first 1,000)' })),
});
export type JobView = Static<typeof JobView>;

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function jobView(job: BalanceJobRow, failed?: BatchRow[]): JobView {
  const started = job.startedAt ? new Date(job.startedAt).getTime() : null;
  const ended = job.finishedAt ? new Date(job.finishedAt).getTime() : Date.now();
  return {
    jobId: Number(job.id), date: job.balanceDate, status: job.status,
    totalBatches: job.totalBatches, batchesSucceeded: job.batchesSucceeded, batchesFailed: job.batchesFailed, accounts: job.accounts,
    partitions: job.partitions, partitionsScanned: job.partitionsScanned, error: job.error,
    createdAt: iso(job.createdAt) ?? '', startedAt: iso(job.startedAt), finishedAt: iso(job.finishedAt),
    durationMs: started === null ? null : ended - started,
    ...(failed ? { failedBatches: failed.map((b) => ({ partition: b.partition, seq: b.seq, fromId: Number(b.fromId), toId: Number(b.toId), accounts: b.accounts, retries: b.retries, error: b.error })) } : {}),
  };
}
