/** A `@WebSocket` listener's ctx offers what a run's does: stored logs, config, enqueue (chained), publish, databases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker, WebSocket, WebSocketWorker, type ListenerContext, type RunContext } from '../../app';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/isolation';
import { startTradeFeed, type TradeFeed } from '../fakes/trade-feed';

@Schedule({ id: 'lc-task' })
class LcTask extends ScheduleWorker {
  run(ctx: RunContext) {
    return { got: ctx.params.symbol };
  }
}

@WebSocket({ id: 'lc-feed', urlConfigKey: 'LC_FEED_URL', singleton: false })
class LcFeed extends WebSocketWorker {
  private sent = false;
  async onMessage(data: Buffer | string, ctx: ListenerContext): Promise<void> {
    if (this.sent) return;
    this.sent = true;
    const tick = JSON.parse(String(data)) as { symbol: string };
    ctx.log.info(`lc first tick ${tick.symbol}`);
    ctx.publish('lc.tick', { symbol: tick.symbol });
    expect(() => ctx.database('nope')).toThrow(/No @Database named 'nope'/);
    await ctx.enqueue('lc-task', { symbol: tick.symbol });
  }
}

let feed: TradeFeed;
let h: Harness;

beforeAll(async () => {
  feed = await startTradeFeed({ intervalMs: 50 });
  h = await startHarness('lctx', [LcTask, LcFeed], { LC_FEED_URL: feed.url });
});
afterAll(async () => {
  await h?.close();
  await feed?.close();
});

describe('listener ctx', () => {
  it('enqueues a chained run, publishes a plugin event tagged with the worker and stores its log lines', async () => {
    const event = await h.waitForEvent((e) => e.type === 'lc.tick');
    expect(event.data).toMatchObject({ workerId: 'lc-feed', symbol: expect.any(String) });
    const row = await eventually(async () => {
      const [rows] = await h.pool.query<import('mysql2/promise').RowDataPacket[]>("SELECT * FROM executions WHERE worker_id = 'lc-task' AND status = 'succeeded'");
      return rows[0];
    }, { what: 'the chained run' });
    expect(row).toMatchObject({ trigger: 'chained' });
    const logs = await eventually(async () => {
      const [rows] = await h.pool.query<import('mysql2/promise').RowDataPacket[]>("SELECT message FROM execution_logs WHERE worker_id = 'lc-feed' AND message LIKE 'lc first tick %'");
      return rows.length ? rows : undefined;
    }, { what: 'the stored log line' });
    expect(logs[0].message).toBe(`lc first tick ${(event.data as { symbol: string }).symbol}`);
  });
});
