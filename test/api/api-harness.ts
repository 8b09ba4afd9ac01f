/** The API on an isolated database/prefix, alone or beside an in-process worker role (test/support/harness.ts). */
import type { FastifyInstance, RouteOptions } from 'fastify';
import WebSocket from 'ws';
import { buildApiApp } from '../../app/core/api/app';
import { Container } from '../../app/core/runtime/container';
import type { SluiceEvent } from '../../app/core/services/events';
import { registryOf, startHarness, type Harness } from '../support/harness';
import { createTestEnv, type TestEnv } from '../support/isolation';
import { eventLog } from '../support/event-log';

export const ADMIN = 'admin-token-0123456789';
export const READER = 'read-token-0123456789';
export const TOKENS = `ops:admin:${ADMIN},viewer:read:${READER}`;
export const asAdmin = { authorization: `Bearer ${ADMIN}` };
export const asReader = { authorization: `Bearer ${READER}` };

export const API_ENV: Record<string, string> = { API_TOKENS: TOKENS, API_RATE_LIMIT_MAX: '100000' };

export interface ApiHarness {
  app: FastifyInstance;
  container: Container;
  testEnv: TestEnv;
  /** http://127.0.0.1:<port> once `listen()` was called. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** API only (no worker consumes the queues): for validation, auth and state-change tests. */
export async function startApiOnly(label: string, classes: Function[], env: Record<string, string> = {}, opts: { onRoute?: (r: RouteOptions) => void } = {}): Promise<ApiHarness> {
  const testEnv = createTestEnv(label, { ...API_ENV, ...env });
  const container = new Container({ role: 'api-test', env: { ...process.env, ...testEnv.env }, registry: registryOf(classes, testEnv.env), console: false });
  await container.init();
  await container.mirror.seedRegistry(container.registry);
  await container.mirror.syncDbToRedis(container.registry);
  const app = await buildApiApp(container, { onRoute: opts.onRoute });
  return wrap(app, container, testEnv, async () => {
    await container.close();
    await testEnv.cleanup();
  });
}

/** API beside a running worker role in the same process (like `npm run dev` without the beat). */
export async function startApiWithWorker(label: string, classes: Function[], env: Record<string, string> = {}): Promise<ApiHarness & { h: Harness }> {
  const h = await startHarness(label, classes, { ...API_ENV, ...env });
  const app = await buildApiApp(h.container);
  return Object.assign(wrap(app, h.container, h.testEnv, () => h.close()), { h });
}

function wrap(app: FastifyInstance, container: Container, testEnv: TestEnv, closeRest: () => Promise<void>): ApiHarness {
  const api: ApiHarness = {
    app, container, testEnv, url: '',
    async listen() {
      api.url = await app.listen({ host: '127.0.0.1', port: 0 });
      return api.url;
    },
    async close() {
      await app.close();
      await closeRest();
    },
  };
  return api;
}

export interface WsClient {
  socket: WebSocket;
  events: SluiceEvent[];
  /** Resolves with the first message matching (already received ones count). */
  next(pred: (e: SluiceEvent) => boolean, timeoutMs?: number): Promise<SluiceEvent>;
  close(): void;
}

/** Connects to /ws and resolves once the server's `ws.ready` greeting arrived. */
export function connectWs(baseUrl: string, query = '', protocols: string[] = ['sluice.v1', `bearer.${ADMIN}`], opts: WebSocket.ClientOptions = {}): Promise<WsClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`, protocols, opts);
  const log = eventLog<SluiceEvent>();
  const events = log.events;
  socket.on('message', (raw) => log.push(JSON.parse(raw.toString()) as SluiceEvent));
  const client: WsClient = {
    socket, events,
    next: (pred, timeoutMs = 20_000) => log.next(pred, timeoutMs, () => `no matching /ws message within ${timeoutMs} ms; got ${events.map((x) => x.type).join(', ')}`),
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    void client.next((e) => (e.type as string) === 'ws.ready', 10_000).then(() => resolve(client), reject);
  });
}
