import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { SyncParams } from './params';
import { marketplaceService } from './service';
import { CHUNK_WORKER, SYNC_WORKER } from './sync.service';

/** Orchestrator: splits a sync's shops and range into chunks and enqueues them (deterministic ids, paced delays). */
@Schedule({ id: SYNC_WORKER, description: 'Marketplace: plan a sync into chunk tasks', params: SyncParams, attempts: 3, backoff: 2_000, overlap: 'allow' })
export class MarketplaceSyncWorker extends ScheduleWorker<SyncParams> {
  async run(ctx: RunContext<SyncParams>): Promise<{ syncId: string; chunks: number }> {
    const svc = await marketplaceService(ctx);
    const jobs = await svc.plan(ctx.params);
    await ctx.enqueueMany(CHUNK_WORKER, jobs);
    if (!jobs.length) await svc.finish(ctx.params.syncId);
    ctx.log.info('marketplace sync planned', { syncId: ctx.params.syncId, chunks: jobs.length });
    return { syncId: ctx.params.syncId, chunks: jobs.length };
  }
}
