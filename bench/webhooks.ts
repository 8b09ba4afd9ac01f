/**
 * Webhook intake and drain. (1) Signed TikTok pushes/s accepted by one API process (POST /webhooks/tiktok: rate
 * limit, signature, checks, XADD) with p50/p99 (autocannon in a worker thread), beside a bare Fastify route that
 * only XADDs the same body, in the same run (alternating rounds, --rounds 3, each side's median), and their ratio. (2) Events/s drained by one consumer process role
 * (the webhook-events @Stream) for known orders (status-only updates) and for unknown ones (detail fetch through
 * the TikTok fake by the marketplace plugin's production detail source, ≤ 50 ids per call). `--part intake|drain`
 * runs one half. MongoDB is the in-process wire test server (it shares the CPU).
 */
import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { buildApiApp } from '../app/core/api/app';
import { Container } from '../app/core/runtime/container';
import { startWorkerRole } from '../app/core/runtime/worker';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { PluginLifecycle } from '../app/core/plugins/lifecycle';
import { toRecord } from '../plugins/market-records';
import { ShopsStore } from '../workers/marketplace/shops.store';
import { WebhookEventsWorker } from '../workers/webhooks/webhook-events.worker';
import { idempotencyKey, toFields, type PushEvent } from '../workers/webhooks/push-event';
import { MongoTestServer } from '../test/support/mongo-server';
import { startTiktokFake, TIKTOK_APP } from '../test/fakes/marketplaces';
import { dropIsolated, intArg, isolatedNames, REDIS_URL, report, round } from './support';

const SECONDS = intArg('seconds', 5);
const CONNECTIONS = intArg('connections', 20);
const ROUNDS = intArg('rounds', 3);
const KNOWN = intArg('known', 20_000);
const UNKNOWN_SHOPS = 2;
const APP = { appKey: 'bench-app-key', appSecret: 'bench-app-secret' };
/** The webhooks plugin and the marketplace plugin's hooks (its detail source: orders by id through the adapters). */
const WORKERS_DIR = 'test/fixtures/webhooks-market';
/** `--part intake` or `--part drain` runs one half only (its figures alone). @defaultValue both */
const PART = (() => {
  const i = process.argv.indexOf('--part');
  return i >= 0 ? process.argv[i + 1] : 'all';
})();

async function load(url: string, body: string, headers: Record<string, string>) {
  const r = await autocannon({ url, method: 'POST', body, connections: CONNECTIONS, duration: SECONDS, headers: { 'content-type': 'application/json', ...headers }, workers: 1 });
  return { rps: round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function intake(env: NodeJS.ProcessEnv, redis: Redis, prefix: string) {
  const c = new Container({ role: 'bench-api', env, console: false });
  const bare = Fastify({ logger: false });
  bare.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  bare.post('/bare', async (req, reply) => {
    await redis.xadd(`${prefix}bare`, 'MAXLEN', '~', 1_000_000, '*', 'body', req.body as Buffer);
    return reply.code(200).send();
  });
  try {
    await c.init();
    const app = await buildApiApp(c);
    const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const body = JSON.stringify({ type: 1, tts_notification_id: 'bench-n-1', shop_id: '7001', timestamp: Math.floor(Date.now() / 1000), data: { order_id: '577000000000001', order_status: 'IN_TRANSIT', update_time: Math.floor(Date.now() / 1000) } });
    const signature = createHmac('sha256', APP.appSecret).update(APP.appKey + body).digest('hex');
    const check = await fetch(`${apiUrl}/webhooks/tiktok`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: signature } });
    if (check.status !== 200) throw new Error(`POST /webhooks/tiktok answered ${check.status}: ${await check.text()}`);
    // Alternating rounds, each side's median round reported: one run of either side is noisy on 2 shared cores.
    const bareRuns: Array<Awaited<ReturnType<typeof load>>> = [];
    const hookRuns: typeof bareRuns = [];
    for (let i = 0; i < ROUNDS; i++) {
      bareRuns.push(await load(`${bareUrl}/bare`, body, {}));
      hookRuns.push(await load(`${apiUrl}/webhooks/tiktok`, body, { authorization: signature }));
    }
    for (const [name, runs] of Object.entries({ bareRuns, hookRuns })) for (const r of runs) if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    const medianRun = (runs: typeof bareRuns) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
    const bareRun = medianRun(bareRuns);
    const hook = medianRun(hookRuns);
    const appended = await redis.xlen(`${prefix}plugin:webhooks:events`);
    await app.close();
    return { bareRun, hook, appended };
  } finally {
    await bare.close();
    await c.close();
  }
}

async function drained(redis: Redis, key: string, total: number): Promise<void> {
  for (;;) {
    const [g] = (await redis.call('XINFO', 'GROUPS', key)) as Array<Array<string | number>>;
    const o = g ? Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]])) : null;
    if (o && Number(o.pending) === 0 && Number(o.lag) === 0 && Number(o['entries-read']) >= total) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function append(redis: Redis, key: string, events: PushEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2_000) {
    const pipe = redis.pipeline();
    for (const e of events.slice(i, i + 2_000)) pipe.xadd(key, '*', ...toFields(e, idempotencyKey(e)));
    await pipe.exec();
  }
}

async function drain(env: NodeJS.ProcessEnv, redis: Redis, prefix: string) {
  const mongo = await MongoTestServer.start();
  const fake = await startTiktokFake({ shops: Array.from({ length: UNKNOWN_SHOPS }, (_, i) => ({ shopId: `80${i}`, ordersPerDay: 100, from: '2024-03-01', to: '2024-03-10' })), limitPerSec: 1_000 });
  const registry = buildRegistry([{ decl: declarationOf(WebhookEventsWorker)!, file: __filename }], { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const bufferDir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-wh-'));
  const c = new Container({
    role: 'bench-worker', registry, console: false,
    env: { ...env, MONGO_URL: `${mongo.uri}/bench`, SYNC_BUFFER_DIR: bufferDir, TIKTOK_API_URL: fake.url, TIKTOK_AUTH_URL: fake.url, TIKTOK_APP_KEY: TIKTOK_APP.appKey, TIKTOK_APP_SECRET: TIKTOK_APP.appSecret, TIKTOK_RATE_LIMIT: '1000' },
  });
  c.configureMongo(false);
  const key = `${prefix}plugin:webhooks:events`;
  try {
    await c.init();
    const db = await c.mongo();
    // The unknown orders' shops are in the marketplace shops store with the fake's tokens (the production detail source reads them there).
    const store = new ShopsStore(db, 'UTC');
    for (let i = 0; i < UNKNOWN_SHOPS; i++) {
      const s = fake.shop(`80${i}`);
      await store.upsert({ platform: 'tiktok', shopId: `80${i}`, channelId: 'tiktok', shopCipher: s.cipher, credentials: { accessToken: s.accessToken, refreshToken: s.refreshToken } });
    }
    const now = Math.floor(Date.now() / 1000);
    const known = Array.from({ length: KNOWN }, (_, i) => `k${i}`);
    for (let i = 0; i < known.length; i += 5_000) {
      await db.collection('orders').insertMany(known.slice(i, i + 5_000).map((id) => toRecord({ platform: 'tiktok', shopId: '7001', channelId: 'tiktok' }, 'orders', { id, status: 'UNPAID', update_time: now - 100 })));
    }
    await append(redis, key, known.map((id) => ({ platform: 'tiktok', shopId: '7001', entity: 'orders', id, status: 'IN_TRANSIT', updateTime: now, notificationId: `k-${id}` })));
    const worker = await startWorkerRole(c, { plugins: new PluginLifecycle(c) });
    let t0 = performance.now();
    await drained(redis, key, KNOWN);
    const knownS = (performance.now() - t0) / 1000;
    const unknown = Array.from({ length: UNKNOWN_SHOPS }, (_, i) => fake.shop(`80${i}`).data.orders.map((o) => ({ shopId: `80${i}`, id: o.id }))).flat();
    t0 = performance.now();
    await append(redis, key, unknown.map((o) => ({ platform: 'tiktok', shopId: o.shopId, entity: 'orders', id: o.id, status: 'IN_TRANSIT', updateTime: now, notificationId: `u-${o.id}` })));
    await drained(redis, key, KNOWN + unknown.length);
    const unknownS = (performance.now() - t0) / 1000;
    const stored = await db.collection('orders').countDocuments({ status: 'IN_TRANSIT' });
    if (stored !== KNOWN + unknown.length) throw new Error(`expected ${KNOWN + unknown.length} orders IN_TRANSIT, found ${stored}`);
    await worker.stop();
    return { known: KNOWN, knownEps: round(KNOWN / knownS), unknown: unknown.length, unknownEps: round(unknown.length / unknownS), detailCalls: fake.requests('/order/202309/orders') };
  } finally {
    await c.close();
    await fake.close();
    await mongo.stop();
    rmSync(bufferDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const names = isolatedNames('webhooks');
  const env = {
    ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, LOG_LEVEL: 'warn', API_TOKENS: 'bench:admin:bench-admin-token',
    WORKERS_DIR, PUBLIC_RATE_LIMIT_MAX: '100000000', WEBHOOK_TIKTOK_APP_KEY: APP.appKey, WEBHOOK_TIKTOK_APP_SECRET: APP.appSecret, WEBHOOK_STREAM_MAXLEN: '2000000',
  };
  const redis = new Redis(REDIS_URL);
  try {
    const figures: Record<string, unknown> = { bench: 'webhooks', seconds: SECONDS, connections: CONNECTIONS, rounds: ROUNDS };
    if (PART !== 'drain') {
      const { bareRun, hook, appended } = await intake(env, redis, names.prefix);
      await redis.del(`${names.prefix}plugin:webhooks:events`, `${names.prefix}bare`);
      Object.assign(figures, {
        intake_rps: hook.rps, intake_p50_ms: hook.p50Ms, intake_p99_ms: hook.p99Ms, appended,
        bare_xadd_rps: bareRun.rps, bare_p50_ms: bareRun.p50Ms, bare_p99_ms: bareRun.p99Ms, intake_vs_bare: round(hook.rps / bareRun.rps, 2),
      });
    }
    if (PART !== 'intake') {
      const d = await drain(env, redis, names.prefix);
      Object.assign(figures, { drain_known_events: d.known, drain_known_eps: d.knownEps, drain_unknown_events: d.unknown, drain_unknown_eps: d.unknownEps, detail_calls: d.detailCalls });
    }
    report(figures);
  } finally {
    await redis.quit();
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
