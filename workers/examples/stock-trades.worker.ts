import { WebSocket, WebSocketWorker, type ListenerContext } from '../../app';
import { BatchWriter } from '../../plugins/batcher';
import './settings';
import { MarketDb, ensureMarketSchema } from './market.database';

interface Tick {
  type: 'trade';
  id: number;
  symbol: string;
  price: number;
  volume: number;
  ts: string;
}

/**
 * Realtime stock trades: holds the feed's WebSocket (one worker process cluster-wide) and batches ticks into
 * MySQL. INSERT IGNORE on the trade id stores a tick once even if the feed replays it after a reconnect.
 */
@WebSocket({ id: 'stock-trades', urlConfigKey: 'TRADE_FEED_URL', heartbeatMs: 'TRADE_HEARTBEAT_MS', reconnect: { minMs: 500, maxMs: 15_000 }, description: 'Realtime stock-trade listener' })
export class StockTradesWorker extends WebSocketWorker {
  private writer: BatchWriter<unknown[]> | null = null;

  override async onOpen(ctx: ListenerContext): Promise<void> {
    await ensureMarketSchema();
    ctx.log.info('trade feed connected');
  }

  onMessage(data: Buffer | string, ctx: ListenerContext): void {
    let tick: Tick;
    try {
      tick = JSON.parse(String(data)) as Tick;
    } catch {
      ctx.log.warn('trade feed sent a message that is not JSON', { sample: String(data).slice(0, 80) });
      return;
    }
    if (tick.type !== 'trade') return;
    this.writerFor(ctx).push([tick.id, tick.symbol, tick.price, tick.volume, new Date(tick.ts), new Date()]);
  }

  override async onClose(code: number, reason: string, ctx: ListenerContext): Promise<void> {
    ctx.log.info(`trade feed closed (${code}${reason ? ` ${reason}` : ''}); flushing buffered ticks`);
    await this.writer?.drain(10_000);
  }

  private writerFor(ctx: ListenerContext): BatchWriter<unknown[]> {
    this.writer ??= new BatchWriter<unknown[]>({
      name: 'trades',
      batchSize: ctx.config.get<number>('TRADE_BATCH_SIZE'),
      flushIntervalMs: ctx.config.get<number>('TRADE_FLUSH_MS'),
      maxQueued: ctx.config.get<number>('TRADE_QUEUE_MAX'),
      onReport: (message, meta) => ctx.log.warn(message, meta),
      write: async (rows) => {
        await ensureMarketSchema();
        await MarketDb.pool().query('INSERT IGNORE INTO trades (trade_id, symbol, price, volume, traded_at, received_at) VALUES ?', [rows]);
      },
    });
    return this.writer;
  }
}
