import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { StockTradesWorker } from '../../../workers/examples/stock-trades.worker';
import { MarketDb } from '../../../workers/examples/market.database';
import { startHarness, type Harness } from '../../support/harness';
import { MYSQL_ROOT, dropDatabase, eventually } from '../../support/isolation';
import { startTradeFeed, type TradeFeed } from '../../fakes/trade-feed';
import { ControlChannel } from '../../../app/core/services/control';

const marketDb = `sluice_t_trades_${process.pid}`;
let feed: TradeFeed;
let h: Harness;

beforeAll(async () => {
  feed = await startTradeFeed({ intervalMs: 20 });
  h = await startHarness('trades', [StockTradesWorker, MarketDb], {
    TRADE_FEED_URL: feed.url, MARKET_DB_URL: `${MYSQL_ROOT}/${marketDb}`, TRADE_HEARTBEAT_MS: '1000', TRADE_FLUSH_MS: '50',
  });
});
afterAll(async () => {
  await h?.close();
  await MarketDb.close();
  await feed?.close();
  await dropDatabase(marketDb);
});

const states = () => h.events.filter((e) => e.type === 'listener.state').map((e) => (e.data as { state: string }).state);
const connectedCount = () => states().filter((s) => s === 'connected').length;
const waitConnected = (n: number) => eventually(async () => connectedCount() >= n, { timeoutMs: 30_000, what: `connection #${n}` });
const waitTicks = (n: number) => {
  const target = feed.delivered.size + n;
  return eventually(async () => feed.delivered.size >= target, { what: `${n} more ticks` });
};

describe('stock-trades listener against the fake feed', () => {
  it('survives a closed socket, a dead path (no pong) and refused connections; stores every delivered tick exactly once', async () => {
    await waitConnected(1);
    await waitTicks(20);

    feed.closeAll(); // the server closes the socket
    await waitConnected(2);
    await waitTicks(20);

    const reconnects = states().filter((s) => s === 'reconnecting').length;
    feed.dropPackets(true); // nothing arrives and pings go unanswered: the heartbeat must notice
    await eventually(async () => states().filter((s) => s === 'reconnecting').length > reconnects, { what: 'dead peer detected' });
    feed.dropPackets(false);
    await waitConnected(3);
    await waitTicks(20);

    feed.refuseFor(5_000); // the feed refuses connections for 5 s
    const refusedAt = Date.now();
    feed.closeAll();
    await waitConnected(4);
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(4_900);
    await waitTicks(20);

    await h.worker.listeners.stop(); // flushes buffered ticks
    const delivered = [...feed.delivered].sort((a, b) => a - b);
    const [rows] = await MarketDb.pool().query<RowDataPacket[]>('SELECT trade_id FROM trades ORDER BY trade_id');
    const stored = rows.map((r) => Number(r.trade_id));
    expect(delivered.filter((id) => !stored.includes(id)), `delivered but not stored (delivered ${delivered.length}, last ${delivered.at(-1)}, conns ${feed.connections}, states ${states().join(',')})`).toEqual([]);
    expect(stored).toEqual(delivered);

    // Transitions are recorded: live state, events and log lines in execution_logs.
    expect(states()).toEqual(expect.arrayContaining(['reconnecting', 'connected', 'stopped']));
    await h.container.logWriter.drain();
    const [logs] = await h.pool.query<RowDataPacket[]>("SELECT message FROM execution_logs WHERE worker_id = 'stock-trades' AND message LIKE 'listener stock-trades:%' ORDER BY ts, id");
    expect(logs.filter((l) => /: connected/.test(l.message)).length).toBeGreaterThanOrEqual(4);
    expect(logs.filter((l) => /: reconnecting/.test(l.message)).length).toBeGreaterThanOrEqual(4);
    expect((await h.container.mirror.liveState('stock-trades')).state).toBe('stopped');
  }, 90_000);

  it('obeys start, stop, restart, disable and enable sent through Redis', async () => {
    const control = new ControlChannel(h.container.redis, h.container.keys.controlChannel);
    const live = async () => (await h.container.mirror.liveState('stock-trades')).state;
    const until = (state: string, open: number) => eventually(async () => (await live()) === state && feed.openConnections() === open, { what: `${state} with ${open} connection(s)` });

    await control.send({ type: 'listener', workerId: 'stock-trades', action: 'start' });
    await until('connected', 1);
    await control.send({ type: 'listener', workerId: 'stock-trades', action: 'stop' });
    await until('stopped', 0);
    expect((await h.container.mirror.liveState('stock-trades')).requested).toBe('stopped');
    await control.send({ type: 'listener', workerId: 'stock-trades', action: 'start' });
    await until('connected', 1);
    const accepted = feed.connections;
    await control.send({ type: 'listener', workerId: 'stock-trades', action: 'restart' });
    await eventually(async () => feed.connections > accepted && (await live()) === 'connected', { what: 'a new connection after restart' });

    await h.container.mirror.setEnabled('stock-trades', false);
    await until('disabled', 0);
    await h.container.mirror.setEnabled('stock-trades', true);
    await until('connected', 1);
  }, 60_000);
});
