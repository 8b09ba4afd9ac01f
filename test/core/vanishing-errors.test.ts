/**
 * Issue 11 item 7: errors that used to vanish. Each case makes the failure happen for real and finds the log line
 * (with the worker or execution it is about) or the record it now ends in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Transport from 'winston-transport';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { Schedule, ScheduleWorker, WebSocket as WebSocketListener, WebSocketWorker } from '../../app';
import { ControlChannel } from '../../app/core/services/control';
import { EventBus, type SluiceEvent } from '../../app/core/services/events';
import { ListenerSupervisor } from '../../app/core/services/listener-supervisor';
import { StateMirror } from '../../app/core/services/state-mirror';
import { startBeatRole } from '../../app/core/runtime/beat';
import { supervisorServices } from '../../app/core/runtime/listeners';
import { ReconnectingWebSocket } from '../../plugins/websocket-client';
import { startHarness, type Harness } from '../support/harness';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../support/isolation';

interface Line {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

/** Collects every record a winston logger writes. */
class Capture extends Transport {
  readonly lines: Line[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    const { level, message, ...meta } = info;
    this.lines.push({ level: String(level), message: String(message), meta });
    next();
  }
  find(pattern: RegExp): Promise<Line> {
    return eventually(async () => this.lines.find((l) => pattern.test(l.message)), { timeoutMs: 10_000, what: `a log line matching ${pattern}` });
  }
}

/** A reporter with the logger's warn/error methods, for the pieces that take one. */
function reporter(): { lines: Line[]; warn: (m: string, meta?: Record<string, unknown>) => void; error: (m: string, meta?: Record<string, unknown>) => void; find(p: RegExp): Promise<Line> } {
  const lines: Line[] = [];
  return {
    lines,
    warn: (message, meta = {}) => void lines.push({ level: 'warn', message, meta }),
    error: (message, meta = {}) => void lines.push({ level: 'error', message, meta }),
    find: (p) => eventually(async () => lines.find((l) => p.test(l.message)), { timeoutMs: 10_000, what: `a line matching ${p}` }),
  };
}

let testEnv: TestEnv;
const clients: Redis[] = [];
const redis = (): Redis => {
  const r = new Redis(REDIS_URL);
  clients.push(r);
  return r;
};

beforeAll(() => {
  testEnv = createTestEnv('vanish');
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await testEnv.cleanup();
});

describe('control channel', () => {
  it('reports a malformed message, and a failing handler with the listener or execution it was for', async () => {
    const channel = `${testEnv.redisPrefix}control`;
    const rep = reporter();
    const control = new ControlChannel(redis(), channel, rep);
    await control.listen(redis(), async (m) => {
      if (m.type === 'listener') throw new Error('supervisor exploded');
      throw new Error('cancel exploded');
    });
    const pub = redis();
    await pub.publish(channel, '{not json');
    expect((await rep.find(/malformed message/)).level).toBe('warn');
    await control.send({ type: 'listener', workerId: 'feed-x', action: 'restart' });
    const failed = await rep.find(/restart of listener feed-x failed: supervisor exploded/);
    expect(failed).toMatchObject({ level: 'error', meta: { workerId: 'feed-x' } });
    await control.send({ type: 'cancel', executionId: 'e-1' });
    expect((await rep.find(/cancel of execution e-1 failed: cancel exploded/)).meta).toEqual({ executionId: 'e-1' });
  });
});

describe('event bus', () => {
  it('hands a throwing or rejecting handler and a malformed message to onError with the event, and delivers the rest', async () => {
    const channel = `${testEnv.redisPrefix}events`;
    const failures: Array<{ err: string; event: SluiceEvent | null }> = [];
    const seen: string[] = [];
    await EventBus.subscribe(redis(), channel, (e) => {
      seen.push(e.type);
      if (e.type === 'a.sync') throw new Error('sync boom');
      if (e.type === 'a.async') return Promise.reject(new Error('async boom'));
    }, (err, event) => failures.push({ err: (err as Error).message, event }));
    const pub = redis();
    await pub.publish(channel, JSON.stringify([{ type: 'a.sync', ts: '', data: { workerId: 'w1' } }, { type: 'a.async', ts: '', data: { workerId: 'w2' } }, { type: 'a.ok', ts: '', data: {} }]));
    await pub.publish(channel, 'garbage');
    await eventually(async () => (failures.length === 3 ? true : undefined), { timeoutMs: 5_000, what: 'three failures' });
    expect(seen).toEqual(['a.sync', 'a.async', 'a.ok']);
    const reported = failures.map((f) => [f.err.replace(/ \(.*$/, ''), (f.event?.data as { workerId?: string } | undefined)?.workerId ?? null]);
    expect(reported.sort()).toEqual([['async boom', 'w2'], ['malformed event message', null], ['sync boom', 'w1']]);
  });
});

describe('reconnecting WebSocket', () => {
  it('carries the socket error (refused, HTTP answer instead of an upgrade) into the reconnecting reason', async () => {
    const refusing = http.createServer();
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const closedPort = (refusing.address() as AddressInfo).port;
    await new Promise((r) => refusing.close(r));
    const forbidding = http.createServer((_req, res) => res.writeHead(403).end());
    await new Promise<void>((r) => forbidding.listen(0, '127.0.0.1', r));
    try {
      for (const [url, cause] of [[`ws://127.0.0.1:${closedPort}/`, /ECONNREFUSED/], [`ws://127.0.0.1:${(forbidding.address() as AddressInfo).port}/`, /Unexpected server response: 403/]] as const) {
        const conn = new ReconnectingWebSocket({ url, reconnect: { minMs: 50, maxMs: 100 } });
        const reasons: string[] = [];
        conn.on('state', (state, detail) => state === 'reconnecting' && reasons.push(detail.reason ?? ''));
        conn.start();
        await eventually(async () => (reasons.length >= 2 ? true : undefined), { timeoutMs: 5_000, what: 'a reconnect' });
        await conn.stop();
        expect(reasons[1], url).toMatch(cause);
      }
    } finally {
      await new Promise((r) => forbidding.close(r));
    }
  });
});

@WebSocketListener({ id: 'vanish-feed', urlConfigKey: 'VANISH_FEED_URL', heartbeatMs: 5_000, reconnect: { minMs: 100, maxMs: 500 }, singleton: false })
class VanishFeed extends WebSocketWorker {
  onMessage(): void {
    // counted by the supervisor
  }
}

@Schedule({ id: 'vanish-task', cron: '0 3 * * *' })
class VanishTask extends ScheduleWorker {
  constructor() {
    super();
    // The process that sees Bull give up on a stalled job may never have run one: its instance is built then.
    throw new Error('VanishTask cannot be built here');
  }
  run() {
    return null;
  }
}

describe('worker-side background work', () => {
  let h: Harness;
  let feed: WebSocketServer;
  let capture: Capture;

  beforeAll(async () => {
    feed = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => feed.once('listening', r));
    h = await startHarness('vanish-w', [VanishFeed, VanishTask], { VANISH_FEED_URL: `ws://127.0.0.1:${(feed.address() as AddressInfo).port}/` });
    capture = new Capture();
    h.container.logger.add(capture);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => feed?.close(r));
  });

  it('logs failed listener counter publishes with the listener id', async () => {
    // A Redis that refuses connections (port 1): every write of this supervisor's live state fails.
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const c = h.container;
    const def = c.registry.listeners.find((l) => l.id === 'vanish-feed')!;
    const sup = new ListenerSupervisor(def, { ...supervisorServices(c), mirror: new StateMirror(c.core.pool, dead, c.keys, c.events), leaseMs: 10_000 });
    await sup.start(true, false);
    try {
      const line = await capture.find(/listener vanish-feed: could not publish its message counters/);
      expect(line.meta).toMatchObject({ workerId: 'vanish-feed' });
    } finally {
      await sup.stop('stopped', 'test over');
      dead.disconnect();
    }
  });

  it('logs a listener action that fails after a schedule.changed event, naming the listener', async () => {
    await h.pool.query('RENAME TABLE workers TO workers_away');
    try {
      h.container.events.publish('schedule.changed', { workerId: 'vanish-feed' });
      const line = await capture.find(/listeners: could not apply schedule\.changed of worker "vanish-feed"/);
      expect(line.meta).toMatchObject({ workerId: 'vanish-feed' });
      expect(line.message).toMatch(/workers' doesn't exist/);
    } finally {
      await h.pool.query('RENAME TABLE workers_away TO workers');
    }
  });

  it('logs a beat reload that fails, naming the worker', async () => {
    const beat = await startBeatRole(h.container, { seed: false });
    try {
      await h.pool.query('RENAME TABLE workers TO workers_away');
      h.container.events.publish('schedule.changed', { workerId: 'vanish-task' });
      const line = await capture.find(/beat: could not reload the schedule of worker "vanish-task"/);
      expect(line.meta).toMatchObject({ workerId: 'vanish-task' });
    } finally {
      await h.pool.query('RENAME TABLE workers_away TO workers').catch(() => undefined);
      await beat.stop();
    }
  });

  it('records a job Bull gave up on and logs the failing onAbandoned bookkeeping with the worker and execution', async () => {
    const executionId = '0193a1b2-0000-7000-8000-00000000abcd';
    const job = { id: 'stalled-1', data: { executionId, workerId: 'vanish-task', trigger: 'manual', params: {}, queuedAt: new Date().toISOString(), parentExecutionId: null }, attemptsMade: 0, processedOn: Date.now() - 1_000 };
    h.container.queues.get('vanish-task').emit('failed', job, new Error('job stalled more than allowable limit'));
    const line = await capture.find(/worker vanish-task: onAbandoned of execution 0193a1b2-0000-7000-8000-00000000abcd failed: VanishTask cannot be built here/);
    expect(line.meta).toMatchObject({ workerId: 'vanish-task' });
    const row = await h.executionIn(executionId, ['failed']);
    expect(row.error).toMatch(/stalled/);
  });
});
