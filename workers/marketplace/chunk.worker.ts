import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { ChunkParams } from './params';
import { marketplaceService } from './service';
import { CHUNK_WORKER } from './sync.service';

/**
 * One chunk of a sync. Its params hold only the chunk id: the shop and its credentials are loaded here. Calls are
 * retried inside (PlatformCaller); a chunk that still fails is recorded failed and re-run by retry-failed.
 */
@Schedule({ id: CHUNK_WORKER, description: 'Marketplace: sync one shop for one chunk of days', params: ChunkParams, concurrency: 'SYNC_CHUNK_CONCURRENCY', attempts: 1, timeoutMs: 2 * 3_600_000, overlap: 'allow' })
export class MarketplaceChunkWorker extends ScheduleWorker<ChunkParams> {
  async run(ctx: RunContext<ChunkParams>): Promise<Record<string, unknown>> {
    const svc = await marketplaceService(ctx);
    const r = await svc.runChunk(ctx.params.chunkId, ctx.signal);
    if ('alreadyFinished' in r) return { chunkId: ctx.params.chunkId, alreadyFinished: r.alreadyFinished };
    return { chunkId: ctx.params.chunkId, orders: r.counts.orders.fetched, apiCalls: Object.values(r.stats.calls).reduce((a, b) => a + b, 0), bufferedBatches: r.bufferedBatches };
  }
}
