/**
 * A marketplace sync on real parts: the three fakes, the MongoDB wire test server, MariaDB and Redis under an
 * isolated name, a worker role running the plugin's tasks, and one shop per platform stored with the fakes' tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import { Container } from '../../../app/core/runtime/container';
import { startWorkerRole, type WorkerRole } from '../../../app/core/runtime/worker';
import { EventBus, type SluiceEvent } from '../../../app/core/services/events';
import type { RunLogger } from '../../../app';
import { COLLECTIONS, type Entity } from '../../../plugins/marketplace-dto';
import { marketplaceClasses, marketplaceService, SYNC_WORKER, type MarketplaceSync } from '../../../workers/marketplace';
import type { SyncDoc } from '../../../workers/marketplace/sync-log';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { MongoTestServer } from '../../../plugins/mongo/server';
import { createTestEnv, eventually, type TestEnv } from '../../support/isolation';
import { registryOf } from '../../support/harness';
import { eventLog } from '../../support/event-log';
import { dayStartSec } from '../../fakes/marketplaces';
import { LAZADA_APP, SHOPEE_APP, TIKTOK_APP, startMarketplaceFakes, type FakeOptions, type MarketplaceFakes, type ShopSpec } from '../../fakes/marketplaces';

export interface MarketFixture {
  fakes: MarketplaceFakes;
  mongo: MongoTestServer;
  db: Db;
  testEnv: TestEnv;
  env: Record<string, string>;
  container: Container;
  worker: WorkerRole;
  svc: MarketplaceSync;
  bufferDir: string;
  events: SluiceEvent[];
  /** Shop ids in the store, by platform. */
  shopIds: Record<PlatformName, string>;
  /** Starts a sync like POST /syncs does and waits until it closed. */
  sync(req: SyncReq, timeoutMs?: number): Promise<SyncDoc>;
  /** Starts a sync; resolves to its id at once. */
  startSync(req: SyncReq): Promise<string>;
  waitSync(syncId: string, timeoutMs?: number): Promise<SyncDoc>;
  /** Counts in Mongo for an entity and shop. */
  count(entity: Entity, platform: PlatformName, filter?: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export type SyncReq = { from: string; to: string; platform?: PlatformName; shopIds?: string[] };

export interface FixtureOptions {
  shops: Partial<Record<PlatformName, Omit<ShopSpec, 'shopId'>>>;
  fakes?: Partial<Record<PlatformName, Partial<FakeOptions> & { maxOffset?: number }>>;
  env?: Record<string, string>;
  /** Start no worker role in this process (the test runs workers in child processes). */
  noWorker?: boolean;
}

export const SHOP_IDS: Record<PlatformName, string> = { tiktok: '7494001', shopee: '880011', lazada: '100200300' };

export function fakeEnv(fakes: MarketplaceFakes): Record<string, string> {
  return {
    TIKTOK_API_URL: fakes.tiktok.url, TIKTOK_AUTH_URL: fakes.tiktok.url, TIKTOK_APP_KEY: TIKTOK_APP.appKey, TIKTOK_APP_SECRET: TIKTOK_APP.appSecret,
    SHOPEE_API_URL: fakes.shopee.url, SHOPEE_PARTNER_ID: String(SHOPEE_APP.partnerId), SHOPEE_PARTNER_KEY: SHOPEE_APP.partnerKey,
    LAZADA_API_URL: `${fakes.lazada.url}/rest`, LAZADA_AUTH_URL: `${fakes.lazada.url}/rest`, LAZADA_APP_KEY: LAZADA_APP.appKey, LAZADA_APP_SECRET: LAZADA_APP.appSecret,
    TIKTOK_RATE_LIMIT: String(fakes.tiktok.opts.limitPerSec), SHOPEE_RATE_LIMIT: String(fakes.shopee.opts.limitPerSec), LAZADA_RATE_LIMIT: String(fakes.lazada.opts.limitPerSec),
    LAZADA_MAX_OFFSET: String(fakes.lazada.maxOffset),
  };
}

export async function startMarket(label: string, opts: FixtureOptions): Promise<MarketFixture> {
  const specs = (p: PlatformName): ShopSpec[] => (opts.shops[p] ? [{ ...opts.shops[p]!, shopId: SHOP_IDS[p] }] : []);
  const fakes = await startMarketplaceFakes({
    // The fakes share this process with the worker: each counts a request when it reaches its front thread, as a
    // platform counts it on arrival, not when this busy event loop reads it (seconds later at times).
    tiktok: { shops: specs('tiktok'), arrivalFront: true, ...opts.fakes?.tiktok },
    shopee: { shops: specs('shopee'), arrivalFront: true, ...opts.fakes?.shopee },
    lazada: { shops: specs('lazada'), arrivalFront: true, ...opts.fakes?.lazada },
  });
  const mongo = await MongoTestServer.start();
  const testEnv = createTestEnv(label, { EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20' });
  const bufferDir = mkdtempSync(path.join(tmpdir(), 'sluice-mkt-'));
  const env: Record<string, string> = {
    ...testEnv.env, ...fakeEnv(fakes), MONGO_URL: `${mongo.uri}/${testEnv.name}`, SYNC_BUFFER_DIR: bufferDir,
    // Fakes, MongoDB server and worker share one event loop (and the machine with other test files): a request
    // can reach its fake's front up to ~0.7 s after the limiter released it (measured), when the process stalls
    // right after a window's burst. Slots after a window's first 200 ms are counted in the next window too, so a
    // request has 800 ms to arrive (a window's budget is still used in full: callers burst at its start).
    RATE_LIMIT_EDGE_MS: '800', MARKET_HTTP_BACKOFF_MS: '20', MARKET_HTTP_MAX_BACKOFF_MS: '200', SYNC_CHUNK_CONCURRENCY: '4', ...opts.env,
  };
  const container = new Container({ role: 'test', env: { ...process.env, ...env }, registry: registryOf(marketplaceClasses, env), console: false });
  container.configureMongo(false);
  const log = eventLog<SluiceEvent>();
  const sub = container.redisFactory.create('test:events', { blocking: true });
  await EventBus.subscribe(sub, container.keys.events, (e) => log.push(e));
  const worker = opts.noWorker ? await noWorker(container) : await startWorkerRole(container);
  const db = await container.mongo();
  const svc = await marketplaceService({ mongo: () => container.mongo(), redis: container.redis, config: container.config, logger: container.logger as unknown as RunLogger, publish: (t, d) => container.events.publish(t as never, d as never) });
  const shopIds = {} as Record<PlatformName, string>;
  for (const p of ['tiktok', 'shopee', 'lazada'] as PlatformName[]) {
    if (!opts.shops[p]) continue;
    const fs = fakes[p].shop(SHOP_IDS[p]);
    const { view } = await svc.shops.upsert({ platform: p, shopId: SHOP_IDS[p], region: 'VN', shopCipher: fs.cipher, name: `${p} demo`, credentials: { accessToken: fs.accessToken, refreshToken: fs.refreshToken } });
    shopIds[p] = view.id;
  }
  let n = 0;
  const startSync = async (req: SyncReq): Promise<string> => {
    const syncId = `t${++n}-${Date.now()}`;
    await svc.syncLog.createSync({ _id: syncId, trigger: 'manual', platform: req.platform ?? null, shop_ids: req.shopIds ?? [], from: req.from, to: req.to });
    await container.dispatcher.enqueue(SYNC_WORKER, { syncId, ...req });
    return syncId;
  };
  const waitSync = (syncId: string, timeoutMs = 45_000): Promise<SyncDoc> => eventually(async () => {
    const s = await svc.syncLog.getSync(syncId);
    return s && (s.status === 'completed' || s.status === 'completed_with_errors') ? s : undefined;
  }, { timeoutMs, intervalMs: 100, what: `sync ${syncId} to close` });
  return {
    fakes, mongo, db, testEnv, env, container, worker, svc, bufferDir, events: log.events, shopIds, startSync, waitSync,
    sync: async (req, timeoutMs) => waitSync(await startSync(req), timeoutMs),
    count: (entity, platform, filter = {}) => db.collection(COLLECTIONS[entity]).countDocuments({ shop_id: SHOP_IDS[platform], ...filter }),
    async close() {
      await worker.stop();
      await sub.quit().catch(() => undefined);
      await container.close();
      await testEnv.cleanup();
      await mongo.stop();
      await fakes.close();
      rmSync(bufferDir, { recursive: true, force: true });
    },
  };
}

async function noWorker(c: Container): Promise<WorkerRole> {
  await c.init();
  await c.mirror.seedRegistry(c.registry);
  await c.ensureMongoIndexes();
  return { stop: async () => undefined } as unknown as WorkerRole;
}

/**
 * What the fakes hold for a platform's shop and a synced range, per entity: tracking is one per order; money
 * lines are listed by when they happened (TikTok: by the statement of the order's day), so a line booked after the
 * range's last day is not part of it; Shopee adds one escrow per order.
 */
export function fakeCounts(f: MarketFixture, p: PlatformName, to = f.fakes[p].shop(SHOP_IDS[p]).data.spec.to): Record<Entity, number> {
  const d = f.fakes[p].shop(SHOP_IDS[p]).data;
  const end = dayStartSec(to) + 86_400;
  const listed = d.txns.filter((t) => p === 'tiktok' || t.createdSec < end).length;
  return { orders: d.orders.length, order_tracking: d.orders.length, transactions: p === 'shopee' ? d.orders.length + listed : listed, returns: d.returns.filter((r) => r.createdSec < end).length, products: d.products.length };
}
