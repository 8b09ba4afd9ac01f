/**
 * A WebSocket client that stays connected: jittered exponential reconnect, ping/pong heartbeat to detect dead
 * peers (a missed pong terminates the socket and reconnects), message counters and a state event.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { backoffDelay } from '../http/backoff';

export type ConnectionState = 'connected' | 'reconnecting' | 'stopped';

export interface ReconnectingWebSocketOptions {
  /** The URL, or a function giving it at each connect (so a config change applies on reconnect). */
  url: string | (() => string);
  /** Ping interval; no pong before the next ping = dead peer. @defaultValue 30000 */
  heartbeatMs?: number;
  /** Reconnect delay bounds (exponential with jitter between them). @defaultValue { minMs: 1000, maxMs: 30000 } */
  reconnect?: { minMs: number; maxMs: number };
  /** Opening handshake timeout. @defaultValue 10000 */
  connectTimeoutMs?: number;
  headers?: Record<string, string>;
}

export interface ConnectionStats {
  messages: number;
  connects: number;
  reconnects: number;
  lastMessageAt: number | null;
  connectedSince: number | null;
}

export interface ReconnectingWebSocketEvents {
  state: [state: ConnectionState, detail: { reason?: string; retryInMs?: number }];
  open: [];
  message: [data: Buffer | string];
  close: [code: number, reason: string];
}

export class ReconnectingWebSocket extends EventEmitter<ReconnectingWebSocketEvents> {
  readonly stats: ConnectionStats = { messages: 0, connects: 0, reconnects: 0, lastMessageAt: null, connectedSince: null };
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'stopped';
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private running = false;
  /** The socket's last `error` (refused, DNS, TLS, an HTTP answer instead of an upgrade): the real cause of the close. */
  private lastError: string | null = null;
  private readonly heartbeatMs: number;
  private readonly bounds: { minMs: number; maxMs: number };

  constructor(private readonly opts: ReconnectingWebSocketOptions) {
    super();
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
    this.bounds = opts.reconnect ?? { minMs: 1_000, maxMs: 30_000 };
  }

  get currentState(): ConnectionState {
    return this.state;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    this.setState('reconnecting', { reason: 'starting' });
    this.connect();
  }

  /**
   * Closes the socket and stops reconnecting; resolves once the socket is closed. Messages that arrive during the
   * closing handshake are still emitted, then `close` — so a consumer can flush what it buffered.
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopHeartbeat();
    const socket = this.socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close(1000, 'stopped');
        setTimeout(() => socket.terminate(), 2_000).unref();
      });
    }
    this.socket = null;
    this.setState('stopped', { reason: 'stopped' });
  }

  send(data: string | Buffer): void {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) throw new Error('WebSocket is not connected');
    this.socket.send(data);
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
      socket = new WebSocket(url, { handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000, headers: this.opts.headers });
    } catch (err) {
      // A missing or malformed URL is retried like a refused connection (it may be configured meanwhile).
      this.scheduleRetry(err instanceof Error ? err.message : String(err));
      return;
    }
    this.socket = socket;
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.stats.messages++;
      this.stats.lastMessageAt = Date.now();
      this.emit('message', isBinary ? data : data.toString('utf8'));
    });
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    // The close that follows schedules the reconnect; the error is its cause and becomes the `reconnecting` reason.
    socket.on('error', (err: Error) => {
      if (socket === this.socket) this.lastError = err.message;
    });
    socket.on('close', (code: number, reason: Buffer) => this.onClose(socket, code, reason.toString('utf8')));
  }

  private onOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.failures = 0;
    this.lastError = null;
    this.stats.connects++;
    this.stats.connectedSince = Date.now();
    this.startHeartbeat(socket);
    this.setState('connected', {});
    this.emit('open');
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    const wasConnected = this.state === 'connected';
    this.stopHeartbeat();
    this.socket = null;
    this.stats.connectedSince = null;
    if (wasConnected) this.emit('close', code, reason);
    const cause = this.lastError;
    this.lastError = null;
    this.scheduleRetry(reason || (cause ? `${cause} (${code})` : `closed (${code})`));
  }

  private scheduleRetry(reason: string): void {
    if (!this.running) return;
    const retryInMs = backoffDelay(this.failures++, this.bounds.minMs, this.bounds.maxMs);
    this.stats.reconnects++;
    this.setState('reconnecting', { reason, retryInMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.connect();
    }, retryInMs);
  }

  private startHeartbeat(socket: WebSocket): void {
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong) {
        // No pong since the last ping: the peer or the path is dead; a close handshake would hang too.
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private setState(state: ConnectionState, detail: { reason?: string; retryInMs?: number }): void {
    if (state === this.state && state !== 'reconnecting') return;
    this.state = state;
    this.emit('state', state, detail);
  }
}
