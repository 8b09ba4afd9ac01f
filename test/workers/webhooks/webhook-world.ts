/**
 * The webhook pipeline end to end in this process: the API (intake) and a worker role running the webhook-events
 * consumer, MongoDB on the wire test server, TikTok detail calls through the marketplace adapter to its fake
 * (registered as the consumer's detail source, counted per shop).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import { buildApiApp } from '../../../app/core/api/app';
import { envOrDefault } from '../../../app/config/settings';
import { Container } from '../../../app/core/runtime/container';
import { startWorkerRole, type WorkerRole } from '../../../app/core/runtime/worker';
import { registerDetailSource, unregisterDetailSource, type DetailSource } from '../../../plugins/market-records';
import { SharedRateLimiter } from '../../../plugins/rate-limit';
import { createAdapter } from '../../../workers/marketplace/platforms';
import '../../../workers/marketplace/settings';
import { API_ENV } from '../../api/api-harness';
import { startTiktokFake, TIKTOK_APP, type FakeMarketplace, type ShopSpec } from '../../fakes/marketplaces';
import { MongoTestServer } from '../../support/mongo-server';
import { createTestEnv, type TestEnv } from '../../support/isolation';
import { registryOf } from '../../support/harness';
import { WebhookEventsWorker } from '../../../workers/webhooks/webhook-events.worker';
import { orderPushBody, SECRET_ENV, signPush, type OrderPush, type Platform } from './senders';
import { WEBHOOKS_ONLY_DIR } from './webhook-api';

export interface WebhookWorld {
  t: TestEnv;
  c: Container;
  app: FastifyInstance;
  worker: WorkerRole;
  mongo: MongoTestServer;
  db: Db;
  fake: FakeMarketplace;
  /** Detail calls by shop id, as the detail source made them. */
  detailCalls: Map<string, number>;
  streamKey: string;
  push(platform: Platform, p: OrderPush): Promise<number>;
  close(): Promise<void>;
}

function tiktokSource(fake: FakeMarketplace, c: Container, counts: Map<string, number>): DetailSource {
  const overrides: Record<string, unknown> = { TIKTOK_API_URL: fake.url, TIKTOK_AUTH_URL: fake.url, TIKTOK_APP_KEY: TIKTOK_APP.appKey, TIKTOK_APP_SECRET: TIKTOK_APP.appSecret, MARKET_HTTP_BACKOFF_MS: 50 };
  const config = { get: <T>(k: string) => (k in overrides ? overrides[k] : envOrDefault(k)?.value) as T };
  const limiter = new SharedRateLimiter({ redis: c.redis, keyPrefix: `${c.keys.prefix}test:rl`, limitOf: () => ({ points: 50 }) });
  return {
    async fetch(shop, _entity, ids) {
      counts.set(shop.shopId, (counts.get(shop.shopId) ?? 0) + 1);
      const s = fake.shop(shop.shopId);
      const tokens = { load: async () => ({ accessToken: s.accessToken, refreshToken: s.refreshToken }), refresh: async () => false };
      const adapter = createAdapter({ config, limiter, tokens, shop: { id: shop.shopId, platform: 'tiktok', shopId: shop.shopId, channelId: shop.channelId, region: 'VN', timeZone: 'Asia/Ho_Chi_Minh', shopCipher: s.cipher } });
      return adapter.orderDetails(ids.map((id) => ({ id, summary: {} })));
    },
  };
}

export async function startWebhookWorld(label: string, shops: ShopSpec[], env: Record<string, string> = {}): Promise<WebhookWorld> {
  const mongo = await MongoTestServer.start();
  const fake = await startTiktokFake({ shops, limitPerSec: 1_000 });
  const t = createTestEnv(label, {
    ...API_ENV, ...SECRET_ENV, WORKERS_DIR: WEBHOOKS_ONLY_DIR, MONGO_URL: `${mongo.uri}/${label}`, PUBLIC_RATE_LIMIT_MAX: '1000000',
    EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', STREAM_STATE_INTERVAL_MS: '100', ...env,
  });
  const c = new Container({ role: 'test', env: { ...process.env, ...t.env }, registry: registryOf([WebhookEventsWorker], t.env), console: false });
  c.configureMongo(false);
  const detailCalls = new Map<string, number>();
  registerDetailSource('tiktok', tiktokSource(fake, c, detailCalls));
  const worker = await startWorkerRole(c);
  const app = await buildApiApp(c);
  await app.ready();
  const db = await c.mongo();
  return {
    t, c, app, worker, mongo, db, fake, detailCalls, streamKey: `${t.redisPrefix}plugin:webhooks:events`,
    async push(platform, p) {
      const body = orderPushBody(platform, p);
      const res = await app.inject({ method: 'POST', url: `/webhooks/${platform}`, payload: body, headers: { 'content-type': 'application/json', authorization: signPush(platform, body) } });
      return res.statusCode;
    },
    async close() {
      unregisterDetailSource('tiktok');
      await app.close();
      await worker.stop();
      await c.close();
      await t.cleanup();
      await fake.close();
      await mongo.stop();
    },
  };
}
