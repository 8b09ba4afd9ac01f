/**
 * The webhook-events consumer in real worker processes: SIGKILLed mid-batch, a second process reclaims its
 * pending entries; every push ends applied once (no key twice in a record's history, statuses never backwards,
 * each order at its newest status) and nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { MongoTestServer } from '../../support/mongo-server';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../../support/isolation';
import { killAll, spawnTs, type Child } from '../../support/child';
import { WEBHOOKS_ONLY_DIR } from './webhook-api';
import { appendEvents, checkApplied, groupInfo, knownOrdersScenario } from './pushes';

let t: TestEnv;
let mongo: MongoTestServer;
let client: MongoClient;
let db: Db;
let redis: Redis;
const children: Child[] = [];
const streamKey = () => `${t.redisPrefix}plugin:webhooks:events`;

beforeAll(async () => {
  mongo = await MongoTestServer.start();
  t = createTestEnv('wh_crash', {
    WORKERS_DIR: WEBHOOKS_ONLY_DIR, MONGO_URL: `${mongo.uri}/wh_crash`, WEBHOOK_BATCH_SIZE: '100', WEBHOOK_CONCURRENCY: '2',
    WEBHOOK_CLAIM_IDLE_MS: '1000', WEBHOOK_MAX_DELIVERIES: '5', STREAM_BLOCK_MS: '200', STREAM_STATE_INTERVAL_MS: '200', LOG_FLUSH_INTERVAL_MS: '50',
  });
  client = await MongoClient.connect(mongo.uri);
  db = client.db('wh_crash');
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await killAll(children);
  await redis?.quit();
  await client?.close();
  await t?.cleanup();
  await mongo?.stop();
});

const startWorker = async () => {
  const child = spawnTs('run-worker.ts', t.env);
  children.push(child);
  await child.waitForLine(/stream webhook-events: consuming/);
  return child;
};

describe('webhook-events across a SIGKILL', () => {
  it('every push is applied once or dead-lettered: none lost, none applied twice', async () => {
    const s = await knownOrdersScenario(db, '8001', 600, 4, 0.2);
    await appendEvents(redis, streamKey(), s.events);
    // Slow MongoDB replies keep batches in hand long enough for the kill to land mid-batch.
    mongo.faults.setLatency(40);
    const first = await startWorker();
    await eventually(async () => {
      const g = await groupInfo(redis, streamKey());
      return g.read > 800 && g.pending > 0;
    }, { what: 'the first consumer mid-stream with a batch in hand', timeoutMs: 30_000, intervalMs: 20 });
    first.kill('SIGKILL');
    await first.exited;
    const stranded = (await groupInfo(redis, streamKey())).pending;
    expect(stranded).toBeGreaterThan(0);
    mongo.faults.setLatency(0);
    await startWorker();
    await eventually(async () => {
      const g = await groupInfo(redis, streamKey());
      return g.pending === 0 && g.lag === 0;
    }, { what: 'the second consumer drained the stream (its own and the reclaimed entries)', timeoutMs: 40_000, intervalMs: 200 });
    const dead = await redis.xlen(`${streamKey()}:dead`);
    const state = await redis.hgetall(`${t.redisPrefix}state:webhook-events`);
    expect(Number(state.reclaimed ?? 0)).toBeGreaterThanOrEqual(stranded);
    expect(dead).toBe(0);
    const check = await checkApplied(db, s);
    expect(check).toEqual({ wrongStatus: [], repeatedKeys: [], backwards: [] });
  }, 60_000);
});
