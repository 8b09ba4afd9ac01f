import { afterAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { startHarness, type Harness } from '../support/harness';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { eventually, MYSQL_ROOT } from '../support/isolation';

let gateOpen: () => void = () => undefined;

@Schedule({ id: 'f-logger' })
class LoggerWorker extends ScheduleWorker<{ lines: number }> {
  async run(ctx: RunContext<{ lines: number }>) {
    ctx.log.info('before the cut');
    await new Promise<void>((resolve) => (gateOpen = resolve));
    for (let i = 0; i < ctx.params.lines; i++) ctx.log.info(`line ${i}`, { i });
    return { logged: ctx.params.lines };
  }
}

@Schedule({ id: 'f-echo' })
class EchoWorker extends ScheduleWorker<{ v: number }> {
  async run(ctx: RunContext<{ v: number }>) {
    return { v: ctx.params.v };
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('connection faults', () => {
  it('MySQL cut for 10 s during a run: no crash, every log line and the execution row arrive after reconnect', async () => {
    const mysqlPort = Number(new URL(MYSQL_ROOT).port || 3306);
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', mysqlPort);
    cleanups.push(() => proxy.close());
    const h: Harness = await startHarness('faults_mysql', [LoggerWorker], {}, { mysqlPort: proxy.port });
    cleanups.push(() => h.close());
    const id = await h.container.dispatcher.trigger('f-logger', { lines: 5_000 });
    await h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === id);
    proxy.cut();
    gateOpen();
    await h.waitForEvent((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === id);
    await new Promise((r) => setTimeout(r, 10_000)); // the outage itself: MySQL stays unreachable for 10 s
    expect(h.container.logWriter.snapshot().dropped).toBe(0);
    expect(h.container.logWriter.snapshot().failedWrites).toBeGreaterThan(0);
    proxy.restore();
    const row = await h.executionIn(id, ['succeeded'], 30_000);
    expect(row.status).toBe('succeeded');
    const count = await eventually(async () => {
      const [r] = await h.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM execution_logs WHERE execution_id = ? AND message LIKE 'line %'", [id]);
      return Number(r[0].n) === 5_000 ? 5_000 : undefined;
    }, { timeoutMs: 30_000, what: 'all 5,000 log lines' });
    expect(count).toBe(5_000);
  }, 90_000);

  it('Redis cut: the worker reconnects and runs a job enqueued during the outage', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    cleanups.push(() => proxy.close());
    const h = await startHarness('faults_redis', [EchoWorker], { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    cleanups.push(() => h.close());
    const first = await h.container.dispatcher.trigger('f-echo', { v: 1 });
    await h.executionIn(first, ['succeeded']);
    proxy.cut();
    const pending = h.container.dispatcher.trigger('f-echo', { v: 2 });
    await new Promise((r) => setTimeout(r, 3_000)); // the outage itself
    proxy.restore();
    const second = await pending;
    const row = await h.executionIn(second, ['succeeded'], 30_000);
    expect(row.status).toBe('succeeded');
  }, 60_000);
});
