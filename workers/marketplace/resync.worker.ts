import { randomUUID } from 'node:crypto';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { marketplaceService } from './service';
import { CHUNK_WORKER } from './sync.service';

/** Safety net every 6 hours: re-syncs today for every enabled shop (webhooks may have been missed). */
@Schedule({ id: 'marketplace-resync', cron: '0 */6 * * *', timezone: 'Asia/Ho_Chi_Minh', description: 'Marketplace: re-sync today for every enabled shop', overlap: 'skip' })
export class MarketplaceResyncWorker extends ScheduleWorker {
  async run(ctx: RunContext): Promise<{ syncId: string; chunks: number }> {
    const svc = await marketplaceService(ctx);
    const { from, to } = svc.resyncRange();
    const syncId = `resync-${to}-${randomUUID().slice(0, 8)}`;
    await svc.syncLog.createSync({ _id: syncId, trigger: 'schedule', platform: null, shop_ids: [], from, to });
    const jobs = await svc.plan({ syncId, from, to });
    await ctx.enqueueMany(CHUNK_WORKER, jobs);
    if (!jobs.length) await svc.finish(syncId);
    return { syncId, chunks: jobs.length };
  }
}
