/**
 * The webhook pipeline end to end in this process: the API (intake) and a worker role running the webhook-events
 * consumer with the marketplace plugin's hooks loaded (its production detail source: orders by id through the
 * adapters, the shops store's tokens and the shared limiter), MongoDB on the wire test server, and the three
 * platform fakes over HTTP. Shops are put in the marketplace shops store with the fakes' tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import { buildApiApp } from '../../../app/core/api/app';
import { Container } from '../../../app/core/runtime/container';
import { startWorkerRole, type WorkerRole } from '../../../app/core/runtime/worker';
import { PluginLifecycle } from '../../../app/core/plugins/lifecycle';
import { ShopsStore } from '../../../workers/marketplace/shops.store';
import type { PlatformName } from '../../../workers/marketplace/platforms/types';
import { API_ENV } from '../../api/api-harness';
import { startMarketplaceFakes, type FakeMarketplace, type MarketplaceFakes, type ShopSpec } from '../../fakes/marketplaces';
import { MongoTestServer } from '../../support/mongo-server';
import { createTestEnv, type TestEnv } from '../../support/isolation';
import { registryOf } from '../../support/harness';
import { WebhookEventsWorker } from '../../../workers/webhooks/webhook-events.worker';
import { fakeEnv } from '../marketplace/market-fixture';
import { orderPushBody, SECRET_ENV, signPush, type OrderPush, type Platform } from './senders';

/** WORKERS_DIR with the webhooks plugin and the marketplace plugin's hooks.ts (committed re-exports). */
export const WEBHOOKS_MARKET_DIR = path.resolve(__dirname, '../../fixtures/webhooks-market');

/** The detail call of each platform as the fakes count it (Lazada: its items call; /order/get is one per id). */
export const DETAIL_PATH: Record<PlatformName, string> = { tiktok: '/order/202309/orders', shopee: '/api/v2/order/get_order_detail', lazada: '/orders/items/get' };

export type WorldShops = Partial<Record<PlatformName, ShopSpec[]>>;

export interface WorldOptions {
  env?: Record<string, string>;
  /** Shops of the fakes left out of the marketplace shops store (`<platform>:<shopId>`). @defaultValue none */
  unstored?: string[];
}

export interface WebhookWorld {
  t: TestEnv;
  c: Container;
  app: FastifyInstance;
  worker: WorkerRole;
  mongo: MongoTestServer;
  db: Db;
  fakes: MarketplaceFakes;
  /** The TikTok fake. */
  fake: FakeMarketplace;
  streamKey: string;
  /** Detail calls a shop made to its platform's fake (DETAIL_PATH). */
  detailCalls(platform: PlatformName, shopId: string): number;
  /** Puts a fake's shop in the shops store with its current tokens (channel_id = the platform's name). */
  storeShop(platform: PlatformName, shopId: string): Promise<void>;
  push(platform: Platform, p: OrderPush): Promise<number>;
  close(): Promise<void>;
}

export async function startWebhookWorld(label: string, shops: WorldShops, opts: WorldOptions = {}): Promise<WebhookWorld> {
  const mongo = await MongoTestServer.start();
  const fakes = await startMarketplaceFakes({
    tiktok: { shops: shops.tiktok ?? [], limitPerSec: 1_000 }, shopee: { shops: shops.shopee ?? [], limitPerSec: 1_000 }, lazada: { shops: shops.lazada ?? [], limitPerSec: 1_000 },
  });
  const bufferDir = mkdtempSync(path.join(tmpdir(), 'sluice-wh-'));
  const t = createTestEnv(label, {
    ...API_ENV, ...SECRET_ENV, ...fakeEnv(fakes), WORKERS_DIR: WEBHOOKS_MARKET_DIR, MONGO_URL: `${mongo.uri}/${label}`, PUBLIC_RATE_LIMIT_MAX: '1000000',
    SYNC_BUFFER_DIR: bufferDir, MARKET_HTTP_BACKOFF_MS: '50', EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', STREAM_STATE_INTERVAL_MS: '100', ...opts.env,
  });
  const c = new Container({ role: 'test', env: { ...process.env, ...t.env }, registry: registryOf([WebhookEventsWorker], t.env), console: false });
  c.configureMongo(false);
  const worker = await startWorkerRole(c, { plugins: new PluginLifecycle(c) });
  const app = await buildApiApp(c);
  await app.ready();
  const db = await c.mongo();
  const store = new ShopsStore(db, 'Asia/Ho_Chi_Minh');
  const storeShop = async (platform: PlatformName, shopId: string) => {
    const s = fakes[platform].shop(shopId);
    await store.upsert({ platform, shopId, channelId: platform, shopCipher: s.cipher, credentials: { accessToken: s.accessToken, refreshToken: s.refreshToken } });
  };
  for (const platform of Object.keys(shops) as PlatformName[]) {
    for (const spec of shops[platform] ?? []) if (!opts.unstored?.includes(`${platform}:${spec.shopId}`)) await storeShop(platform, spec.shopId);
  }
  return {
    t, c, app, worker, mongo, db, fakes, fake: fakes.tiktok, streamKey: `${t.redisPrefix}plugin:webhooks:events`, storeShop,
    detailCalls: (platform, shopId) => fakes[platform].shopRequests(shopId, DETAIL_PATH[platform]),
    async push(platform, p) {
      const body = orderPushBody(platform, p);
      const res = await app.inject({ method: 'POST', url: `/webhooks/${platform}`, payload: body, headers: { 'content-type': 'application/json', authorization: signPush(platform, body) } });
      return res.statusCode;
    },
    async close() {
      await app.close();
      await worker.stop();
      await c.close();
      await t.cleanup();
      await fakes.close();
      await mongo.stop();
      rmSync(bufferDir, { recursive: true, force: true });
    },
  };
}
