/** The marketplace plugin's worker classes, for tests and benchmarks that build a registry by hand. */
import { MarketplaceChunkWorker } from './chunk.worker';
import { MarketplaceResyncWorker } from './resync.worker';
import { MarketplaceSyncWorker } from './sync.worker';

export { MarketplaceChunkWorker, MarketplaceResyncWorker, MarketplaceSyncWorker };
export { marketplaceService } from './service';
export { MarketplaceSync, SYNC_WORKER, CHUNK_WORKER, type SyncRequest } from './sync.service';
export const marketplaceClasses = [MarketplaceSyncWorker, MarketplaceChunkWorker, MarketplaceResyncWorker];
