/** Builds an in-process Sluice (container + roles) on an isolated database/prefix, with test-defined workers. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { Container } from '../../app/core/runtime/container';
import { startWorkerRole, type WorkerRole } from '../../app/core/runtime/worker';
import { buildRegistry, type WorkerRegistry } from '../../app/core/registry/worker-registry';
import { declarationOf } from '../../app/core/decorators/declarations';
import { loadSettings } from '../../app/config/settings';
import { EventBus, type SluiceEvent } from '../../app/core/services/events';
import { createTestEnv, eventually, type TestEnv } from './isolation';
import { eventLog } from './event-log';

export function registryOf(classes: Function[], env: Record<string, string> = {}): WorkerRegistry {
  const s = loadSettings({ ...process.env, ...env });
  return buildRegistry(
    classes.map((cls) => {
      const decl = declarationOf(cls);
      if (!decl) throw new Error(`${cls.name} has no Sluice decorator`);
      return { decl, file: decl.file ?? 'test' };
    }),
    { timezone: s.DEFAULT_TIMEZONE, timeoutMs: s.JOB_TIMEOUT_MS, attempts: s.JOB_ATTEMPTS, backoffMs: s.JOB_BACKOFF_MS },
  );
}

export interface Harness {
  testEnv: TestEnv;
  container: Container;
  worker: WorkerRole;
  pool: Pool;
  events: SluiceEvent[];
  /** Resolves with the first event matching the predicate (already received ones count). */
  waitForEvent(pred: (e: SluiceEvent) => boolean, timeoutMs?: number): Promise<SluiceEvent>;
  execution(id: string): Promise<RowDataPacket | undefined>;
  /** Waits until the execution row reaches one of the statuses (rows are written by the batched path). */
  executionIn(id: string, statuses: string[], timeoutMs?: number): Promise<RowDataPacket>;
  close(): Promise<void>;
}

export async function startHarness(label: string, classes: Function[], extraEnv: Record<string, string> = {}, opts: { mysqlPort?: number } = {}): Promise<Harness> {
  const testEnv = createTestEnv(label, { EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', ...extraEnv });
  const env = { ...process.env, ...testEnv.env };
  // Route the processes' MySQL traffic through a test-owned proxy (cleanup still talks to the server directly).
  if (opts.mysqlPort) env.DATABASE_URL = testEnv.databaseUrl.replace(/:\d+\//, `:${opts.mysqlPort}/`);
  const container = new Container({ role: 'test', env, registry: registryOf(classes, testEnv.env), console: false });
  const log = eventLog<SluiceEvent>();
  const events = log.events;
  const sub = container.redisFactory.create('test:events', { blocking: true });
  await EventBus.subscribe(sub, container.keys.events, (e) => log.push(e));
  // Subscribed before the worker starts, so events of its boot (listeners connecting) are seen too.
  const worker = await startWorkerRole(container);
  const pool = container.core.pool;
  const execution = async (id: string) => {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM executions WHERE id = ?', [id]);
    return rows[0];
  };
  return {
    testEnv, container, worker, pool, events, execution,
    waitForEvent: (pred, timeoutMs = 20_000) => log.next(pred, timeoutMs, () => 'timed out waiting for event'),
    executionIn: (id, statuses, timeoutMs) =>
      eventually(async () => {
        const row = await execution(id);
        return row && statuses.includes(row.status) ? row : undefined;
      }, { timeoutMs, what: `execution ${id} in ${statuses.join('|')}` }),
    async close() {
      await worker.stop();
      await container.close();
      await testEnv.cleanup();
    },
  };
}
