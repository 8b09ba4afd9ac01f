/** One MarketplaceSync per process and MongoDB database, shared by the plugin's workers, routes and hooks. */
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { ConfigReader, RunLogger } from '../../app';
import { declareMarketIndexes } from '../../plugins/marketplace-dto';
import { MarketplaceSync } from './sync.service';
import './settings';

declareMarketIndexes();

const services = new WeakMap<Db, MarketplaceSync>();

export interface ServiceSource {
  mongo(): Promise<Db>;
  redis: Redis;
  config: ConfigReader;
  log?: RunLogger;
  logger?: RunLogger;
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
}

export async function marketplaceService(src: ServiceSource): Promise<MarketplaceSync> {
  const db = await src.mongo();
  let svc = services.get(db);
  if (!svc) {
    const log = (src.log ?? src.logger)!;
    svc = new MarketplaceSync({ db, redis: src.redis, config: src.config, log, publish: (t, d) => src.publish(t, d) });
    services.set(db, svc);
  }
  return svc;
}
