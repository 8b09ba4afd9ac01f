/**
 * Runs one `@WebSocket` listener in this worker process: the reconnecting connection, the worker's hooks, the
 * live state (connected | reconnecting | stopped | disabled) mirrored into Redis and recorded in MySQL, and — for
 * singleton listeners — a Redis lease so exactly one worker process holds the connection cluster-wide.
 */
import type winston from 'winston';
import type { Redis } from 'ioredis';
import { ReconnectingWebSocket, type ConnectionState } from '../../../../plugins/websocket-client';
import type { ExecutionRecorder } from '../../services/execution-recorder';
import { LeaderLease } from '../../services/leader-lease';
import type { RedisKeys } from '../../services/redis';
import type { StateMirror } from '../../services/state-mirror';
import { errorText } from '../../services/failure';
import { workerContext, type WorkerContextServices } from '../worker-context';
import type { WebSocketDefinition } from './websocket.definition';
import type { ListenerContext, WebSocketWorker } from './websocket-worker';

export type ListenerState = ConnectionState | 'disabled' | 'standby';

export interface ListenerDeps extends WorkerContextServices {
  redis: Redis;
  keys: RedisKeys;
  mirror: StateMirror;
  recorder: ExecutionRecorder;
  logger: winston.Logger;
  leaseMs: number;
}

export class ListenerSupervisor {
  private connection: ReconnectingWebSocket | null = null;
  private lease: LeaderLease | null = null;
  private abort: AbortController | null = null;
  private readonly instance: WebSocketWorker;
  private countTimer: NodeJS.Timeout | null = null;
  private enabled = true;
  private stoppedByRequest = false;
  private readonly pendingHooks = new Set<Promise<void>>();
  private lastCounterReport = 0;
  private closing: Promise<void> | null = null;

  constructor(private readonly def: WebSocketDefinition, private readonly deps: ListenerDeps) {
    const Cls = def.cls as new () => WebSocketWorker;
    this.instance = new Cls();
  }

  get state(): ConnectionState | null {
    return this.connection?.currentState ?? null;
  }

  /** Starts (or waits for the lease when singleton) unless the worker is disabled or was stopped on request. */
  async start(enabled: boolean, stoppedByRequest: boolean): Promise<void> {
    this.enabled = enabled;
    this.stoppedByRequest = stoppedByRequest;
    if (!enabled) return this.publish('disabled', 'worker is disabled');
    if (stoppedByRequest) return this.publish('stopped', 'stopped by request');
    if (!this.def.singleton) return this.connect();
    if (this.lease) return;
    this.lease = new LeaderLease(this.deps.redis, this.deps.keys.lease(`listener:${this.def.id}`), this.deps.leaseMs, (held) => {
      if (held) this.background('connect', this.connect());
      else this.background('disconnect after losing the lease', this.disconnect('lease lost'));
    });
    await this.lease.start();
  }

  /** Stops the connection and gives up the lease (shutdown, disable, stop request). */
  async stop(state: 'stopped' | 'disabled', reason: string): Promise<void> {
    // Disconnect (and flush) before giving up the lease, so no other process connects while this one still reads.
    const lease = this.lease;
    this.lease = null;
    await this.disconnect(reason, state);
    await lease?.stop();
  }

  private async connect(): Promise<void> {
    if (this.connection || !this.enabled || this.stoppedByRequest) return;
    const abort = (this.abort = new AbortController());
    const conn = (this.connection = new ReconnectingWebSocket({
      url: () => this.url(), heartbeatMs: this.heartbeatMs(), reconnect: this.def.reconnect,
    }));
    const ctx = this.context(abort.signal);
    conn.on('state', (state, detail) => void this.publish(state, detail.reason ?? '', detail.retryInMs));
    conn.on('open', () => this.hook('onOpen', () => this.instance.onOpen(ctx)));
    conn.on('message', (data) => this.hook('onMessage', () => this.instance.onMessage(data, ctx)));
    conn.on('close', (code, reason) => this.hook('onClose', () => this.instance.onClose(code, reason, ctx)));
    this.countTimer = setInterval(() => void this.publishCounters(), 1_000);
    this.countTimer.unref();
    conn.start();
  }

  /** Closes the connection, waits for the hooks' final work, publishes the state. Concurrent calls share one close. */
  private async disconnect(reason: string, state: 'stopped' | 'disabled' | 'standby' = 'standby'): Promise<void> {
    if (this.closing) await this.closing;
    const conn = this.connection;
    this.connection = null;
    this.closing = conn ? this.close(conn, reason) : null;
    await this.closing;
    this.closing = null;
    if (conn || state !== 'standby') await this.publish(state, reason);
  }

  private async close(conn: ReconnectingWebSocket, reason: string): Promise<void> {
    if (this.countTimer) clearInterval(this.countTimer);
    this.countTimer = null;
    this.abort?.abort(new Error(reason));
    conn.removeAllListeners('state');
    await conn.stop();
    // Let onMessage/onClose hooks that are still running (e.g. a final flush) finish.
    await Promise.allSettled([...this.pendingHooks]);
    await this.publishCounters(conn);
  }

  private heartbeatMs(): number {
    if (!this.def.heartbeatSetting) return this.def.heartbeatMs;
    const v = Number(this.deps.config.get(this.def.heartbeatSetting, this.def.id));
    return Number.isInteger(v) && v > 0 ? v : this.def.heartbeatMs;
  }

  private url(): string {
    const url = this.def.url ?? this.deps.config.get<string>(this.def.urlConfigKey!, this.def.id);
    if (!url) throw new Error(`listener ${this.def.id}: setting ${this.def.urlConfigKey} is empty`);
    return url;
  }

  private context(signal: AbortSignal): ListenerContext {
    return { ...workerContext(this.deps, this.def.id, signal), send: (data) => this.connection?.send(data) };
  }

  /** Runs a hook; a hook's error is logged with context and never breaks the connection. */
  private hook(name: string, fn: () => Promise<void> | void): void {
    const run = Promise.resolve().then(fn).catch((err: unknown) => {
      this.deps.logger.error(`listener ${this.def.id}: ${name} failed: ${errorText(err)}`, { workerId: this.def.id });
    });
    this.pendingHooks.add(run);
    void run.finally(() => this.pendingHooks.delete(run));
  }

  private async publish(state: ListenerState, reason: string, retryInMs?: number): Promise<void> {
    const stored = state === 'standby' ? null : state;
    try {
      if (stored) {
        await this.deps.mirror.setLiveState(this.def.id, { state: stored, owner: state === 'connected' || state === 'reconnecting' ? `${process.pid}` : '' });
        this.deps.events.publish('listener.state', { workerId: this.def.id, state: stored });
        this.deps.recorder.workerStatus({ workerId: this.def.id, state: stored, lastExecutionId: null, lastStartedAt: state === 'connected' ? new Date() : null, lastFinishedAt: null, lastResult: null, lastError: state === 'reconnecting' ? reason : null, consecutiveFailures: null });
      }
      const note = retryInMs !== undefined ? ` (retry in ${retryInMs} ms)` : '';
      this.deps.logger.log(state === 'reconnecting' ? 'warn' : 'info', `listener ${this.def.id}: ${state}${reason ? ` — ${reason}` : ''}${note}`, { workerId: this.def.id, listenerState: state });
    } catch (err) {
      this.deps.logger.warn(`listener ${this.def.id}: could not publish state ${state}: ${errorText(err)}`, { workerId: this.def.id, stored: false });
    }
  }

  /** Work started from a callback that cannot wait for it: a failure is logged with the listener's id. */
  private background(what: string, work: Promise<unknown>): void {
    work.catch((err: unknown) => this.deps.logger.error(`listener ${this.def.id}: ${what} failed: ${errorText(err)}`, { workerId: this.def.id }));
  }

  /** Message counters into the live state; a failure (Redis down) is logged at most once per 10 s, every second would flood. */
  private async publishCounters(conn = this.connection): Promise<void> {
    if (!conn) return;
    const s = conn.stats;
    await this.deps.mirror.setLiveState(this.def.id, {
      messages: s.messages, reconnects: s.reconnects, last_message_at: s.lastMessageAt ? new Date(s.lastMessageAt).toISOString() : '',
    }).catch((err: unknown) => {
      if (Date.now() - this.lastCounterReport < 10_000) return;
      this.lastCounterReport = Date.now();
      this.deps.logger.warn(`listener ${this.def.id}: could not publish its message counters: ${errorText(err)}`, { workerId: this.def.id, stored: false });
    });
  }
}
