/** A real API process (in this process) with the webhooks plugin loaded from a WORKERS_DIR holding only it. */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../../../app/core/api/app';
import { Container } from '../../../app/core/runtime/container';
import { createTestEnv, type TestEnv } from '../../support/isolation';
import { API_ENV } from '../../api/api-harness';
import { SECRET_ENV } from './senders';

/** A WORKERS_DIR whose only plugin is workers/webhooks (a committed symlink), so no other plugin loads. */
export const WEBHOOKS_ONLY_DIR = path.resolve(__dirname, '../../fixtures/webhooks-only');

export interface WebhookApi {
  t: TestEnv;
  c: Container;
  app: FastifyInstance;
  workersDir: string;
  /** Full Redis key of the intake stream. */
  streamKey: string;
  close(): Promise<void>;
}

export async function startWebhookApi(label: string, env: Record<string, string> = {}): Promise<WebhookApi> {
  const workersDir = WEBHOOKS_ONLY_DIR;
  const t = createTestEnv(label, { ...API_ENV, ...SECRET_ENV, WORKERS_DIR: workersDir, PUBLIC_RATE_LIMIT_MAX: '1000000', ...env });
  const c = new Container({ role: 'test', env: { ...process.env, ...t.env }, console: false });
  await c.init();
  await c.mirror.seedRegistry(c.registry);
  await c.mirror.syncDbToRedis(c.registry);
  const app = await buildApiApp(c);
  await app.ready();
  return {
    t, c, app, workersDir, streamKey: `${t.redisPrefix}plugin:webhooks:events`,
    async close() {
      await app.close();
      await c.close();
      await t.cleanup();
    },
  };
}
