/**
 * The /ws relay: every authenticated client gets the events of the Redis channel that match its filters, one JSON
 * text per message. Clients are pinged every heartbeat and dropped when they missed the previous pong; a client
 * whose unsent data exceeds the bound is dropped at once instead of being buffered without limit.
 */
import type { WebSocket } from 'ws';
import type { EventFeed, FeedEvent } from './event-feed';
import { ExecutionOrder } from './execution-order';

export interface WsFilter {
  /** Only events about these workers (events that name no worker are left out). null = all. */
  workerIds: string[] | null;
  /** Exact types or `prefix.*` patterns. null = all. */
  types: string[] | null;
}

export interface WsRelayOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  onDrop?: (reason: 'slow' | 'heartbeat') => void;
  /** How long a run's events wait for its execution.started (API_WS_ORDER_HOLD_MS). @defaultValue 0 (no ordering) */
  orderHoldMs?: number;
}

interface Client {
  socket: WebSocket;
  filter: WsFilter;
  matchType: (type: string) => boolean;
  alive: boolean;
}

/** Parses a comma list query value (`a,b` or repeated parameters) into a list, or null when absent. */
export function listParam(value: string | string[] | undefined): string[] | null {
  if (value === undefined) return null;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return items.length ? items : null;
}

function typeMatcher(types: string[] | null): (type: string) => boolean {
  if (!types) return () => true;
  const exact = new Set(types.filter((t) => !t.endsWith('.*') && t !== '*'));
  const prefixes = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  if (types.includes('*')) return () => true;
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

export class WsRelay {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;
  private offFeed: (() => void) | null = null;

  private readonly order: ExecutionOrder;

  constructor(private readonly feed: EventFeed, private readonly opts: WsRelayOptions) {
    this.order = new ExecutionOrder((e) => this.broadcast(e), opts.orderHoldMs ?? 0);
  }

  get size(): number {
    return this.clients.size;
  }

  start(): void {
    this.offFeed = this.feed.on((e) => this.order.push(e));
    this.timer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
    this.timer.unref();
  }

  /** Registers a connected socket and greets it with `ws.ready` (its filters), so a client knows it is subscribed. */
  add(socket: WebSocket, filter: WsFilter): void {
    const client: Client = { socket, filter, matchType: typeMatcher(filter.types), alive: true };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (raw) => this.onClientMessage(client, raw.toString()));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    this.send(client, JSON.stringify({ type: 'ws.ready', ts: new Date().toISOString(), data: { ...filter, heartbeatMs: this.opts.heartbeatMs } }));
  }

  /** Browsers cannot send ping frames: `{"type":"ping"}` is answered with `{"type":"pong"}`. */
  private onClientMessage(client: Client, text: string): void {
    try {
      if ((JSON.parse(text) as { type?: unknown }).type === 'ping') this.send(client, JSON.stringify({ type: 'pong', ts: new Date().toISOString(), data: {} }));
    } catch {
      // anything else a client sends is ignored: the relay is one-way
    }
  }

  private broadcast(e: FeedEvent): void {
    for (const client of this.clients) {
      const { workerIds } = client.filter;
      if (workerIds && (!e.workerId || !workerIds.includes(e.workerId))) continue;
      if (!client.matchType(e.event.type)) continue;
      this.send(client, e.text);
    }
  }

  private send(client: Client, text: string): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + text.length > this.opts.maxBufferedBytes) {
      this.drop(client, 'slow');
      return;
    }
    socket.send(text);
  }

  private drop(client: Client, reason: 'slow' | 'heartbeat'): void {
    this.clients.delete(client);
    this.opts.onDrop?.(reason);
    client.socket.terminate();
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.drop(client, 'heartbeat');
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /** Closes every client (1001 going away) and stops listening. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.offFeed?.();
    this.order.flush();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }
}
