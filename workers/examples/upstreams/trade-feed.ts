/**
 * A fake realtime stock-trade feed over WebSocket: every connected client receives a trade tick every
 * `intervalMs` with a feed-wide sequence id. Faults: close every socket, drop packets (no pongs, nothing
 * delivered), refuse connections for a while. It records which ticks it delivered to an open socket.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TradeTick {
  type: 'trade';
  id: number;
  symbol: string;
  price: number;
  volume: number;
  ts: string;
}

const SYMBOLS = ['VNM', 'FPT', 'HPG', 'VCB', 'MWG', 'SSI', 'VIC', 'TCB'];

export interface TradeFeed {
  url: string;
  /** Ids of ticks written to an open, healthy socket. */
  delivered: Set<number>;
  /** Connections accepted so far. */
  connections: number;
  /** Sockets open right now. */
  openConnections(): number;
  closeAll(): void;
  /** While on: pings get no pong and ticks are not delivered (a dead network path). */
  dropPackets(on: boolean): void;
  /** Refuses WebSocket upgrades (HTTP 503) for `ms`. */
  refuseFor(ms: number): void;
  close(): Promise<void>;
}

export async function startTradeFeed(opts: { port?: number; intervalMs?: number } = {}): Promise<TradeFeed> {
  let seq = 0;
  let dropping = false;
  let refuseUntil = 0;
  const delivered = new Set<number>();
  const server = http.createServer((_req, res) => res.writeHead(426).end('WebSocket only'));
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const feed: TradeFeed = {
    url: '', delivered, connections: 0,
    openConnections: () => [...wss.clients].filter((c) => c.readyState === c.OPEN).length,
    closeAll: () => wss.clients.forEach((c) => c.close(1012, 'service restart')),
    dropPackets: (on) => {
      dropping = on;
    },
    refuseFor: (ms) => {
      refuseUntil = Date.now() + ms;
    },
    close: () => new Promise((resolve) => {
      clearInterval(timer);
      wss.clients.forEach((c) => c.terminate());
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on('upgrade', (req, socket, head) => {
    if (Date.now() < refuseUntil) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  wss.on('connection', (ws: WebSocket) => {
    feed.connections++;
    ws.on('ping', (data) => {
      if (!dropping) ws.pong(data);
    });
  });
  const timer = setInterval(() => {
    const tick: TradeTick = {
      type: 'trade', id: ++seq, symbol: SYMBOLS[seq % SYMBOLS.length],
      price: Math.round((20_000 + ((seq * 37) % 5_000)) / 10) * 10, volume: 100 * ((seq % 50) + 1), ts: new Date().toISOString(),
    };
    if (dropping) return;
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(JSON.stringify(tick));
      delivered.add(tick.id);
    }
  }, opts.intervalMs ?? 50);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  feed.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/trades`;
  return feed;
}
