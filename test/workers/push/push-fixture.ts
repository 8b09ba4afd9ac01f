/**
 * The push plugin in-process: a worker role with the push tasks on an isolated core database, Redis prefix and
 * MongoDB database (the wire test server), the fake FCM, and the real API app (the plugin's routes behind the
 * token, mounted with the plugin's PluginApi).
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { MongoClient, type Db } from 'mongodb';
import { Container } from '../../../app/core/runtime/container';
import { startWorkerRole, type WorkerRole } from '../../../app/core/runtime/worker';
import { EventBus, type SluiceEvent } from '../../../app/core/services/events';
import { buildApiApp } from '../../../app/core/api/app';
import { pushClasses } from '../../../workers/push';
import { pushStore, type PushStore } from '../../../workers/push/store';
import { MongoTestServer } from '../../support/mongo-server';
import { registryOf } from '../../support/harness';
import { createTestEnv, eventually, type TestEnv } from '../../support/isolation';
import { eventLog } from '../../support/event-log';
import { startFakeFcm, type FakeFcm, type FakeFcmOptions } from '../../fakes/fcm';

export const ADMIN = 'push-admin-token-0123456789';

/** The API app, with every request made as the admin token unless headers say otherwise. */
export interface PushApp {
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  raw: FastifyInstance;
}

export interface PushFixture {
  fcm: FakeFcm;
  app: PushApp;
  container: Container;
  testEnv: TestEnv;
  env: Record<string, string>;
  db: Db;
  store: PushStore;
  events: SluiceEvent[];
  mongoUrl: string;
  waitForEvent(pred: (e: SluiceEvent) => boolean, timeoutMs?: number): Promise<SluiceEvent>;
  /** POST /plugins/push/send → job id (throws unless 202). */
  send(body: Record<string, unknown>): Promise<string>;
  getJob(jobId: string, query?: string): Promise<any>;
  /** Polls GET /jobs/:id until the job is completed or failed. */
  waitDone(jobId: string, timeoutMs?: number): Promise<any>;
  startWorker(): Promise<WorkerRole>;
  close(): Promise<void>;
}

export async function startPush(label: string, env: Record<string, string> = {}, fcmOpts: FakeFcmOptions = {}, opts: { worker?: boolean; mongo?: MongoTestServer } = {}): Promise<PushFixture> {
  const fcm = await startFakeFcm({ latencyMs: 5, ...fcmOpts });
  const mongo = opts.mongo ?? await MongoTestServer.start();
  const testEnv = createTestEnv(`push_${label}`);
  const mongoUrl = `${mongo.uri.replace(/\/$/, '')}/${testEnv.name}`;
  const fullEnv: Record<string, string> = {
    ...testEnv.env, API_TOKENS: `ops:admin:${ADMIN}`, API_RATE_LIMIT_MAX: '100000', WORKERS_DIR: 'workers', EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', MONGO_URL: mongoUrl,
    FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount), FCM_BASE_URL: fcm.baseUrl, FCM_RETRY_BASE_MS: '50', PUSH_FLUSH_MS: '10', ...env,
  };
  const container = new Container({ role: 'test', env: { ...process.env, ...fullEnv }, registry: registryOf(pushClasses, fullEnv), console: false });
  container.configureMongo(false);
  const log = eventLog<SluiceEvent>();
  const sub = container.redisFactory.create('test:events', { blocking: true });
  await EventBus.subscribe(sub, container.keys.events, (e) => log.push(e));
  const workers: WorkerRole[] = [];
  const startWorker = async (): Promise<WorkerRole> => {
    const w = await startWorkerRole(container);
    workers.push(w);
    return w;
  };
  if (opts.worker !== false) await startWorker();
  else await container.init();
  const app = await buildApiApp(container);
  await app.ready();
  const api: PushApp = { raw: app, inject: (o) => app.inject({ ...o, headers: { authorization: `Bearer ${ADMIN}`, ...(o.headers ?? {}) } }) };
  const client = new MongoClient(mongoUrl);
  const db = client.db();
  const store = await pushStore(db);
  const getJob = async (jobId: string, query = ''): Promise<any> => {
    const res = await api.inject({ method: 'GET', url: `/plugins/push/jobs/${jobId}${query}` });
    if (res.statusCode !== 200) throw new Error(`GET job: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  return {
    fcm, app: api, container, testEnv, env: fullEnv, db, store, events: log.events, mongoUrl, getJob, startWorker,
    waitForEvent: (pred, timeoutMs = 30_000) => log.next(pred, timeoutMs, () => 'timed out waiting for event'),
    async send(body) {
      const res = await api.inject({ method: 'POST', url: '/plugins/push/send', payload: body });
      if (res.statusCode !== 202) throw new Error(`POST send: ${res.statusCode} ${res.body}`);
      return res.json<{ jobId: string }>().jobId;
    },
    waitDone: (jobId, timeoutMs = 45_000) => eventually(async () => {
      const job = await getJob(jobId);
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    }, { timeoutMs, intervalMs: 100, what: `push job ${jobId} to finish` }),
    async close() {
      await app.close();
      for (const w of workers) await w.stop();
      await sub.quit().catch(() => undefined);
      await container.close();
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      if (!opts.mongo) await mongo.stop();
      await fcm.close();
      await testEnv.cleanup();
    },
  };
}

/** Registers tokens straight into the registry (bulk, for large fixtures). */
export async function seedTokens(store: PushStore, docs: Array<{ token: string; userId: string; platform?: 'android' | 'ios' | 'web' }>): Promise<void> {
  const now = new Date();
  for (let i = 0; i < docs.length; i += 2_000) {
    await store.tokens.insertMany(docs.slice(i, i + 2_000).map((d) => ({
      _id: d.token, token: d.token, userId: d.userId, platform: d.platform ?? 'android', app: 'app', device: {}, active: true,
      lastSeenAt: now, createdAt: now, updatedAt: now, deactivatedAt: null, deactivationReason: null,
    })));
  }
}
