/**
 * `@Stream` across real worker processes: two consumers share a group, a SIGKILLed consumer's entries are
 * reclaimed, SIGTERM never half-acks a batch, and control requests reach every process within a second.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../../app/core/api/app';
import { Container } from '../../app/core/runtime/container';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../support/isolation';
import { ROOT, killAll, spawnTs, type Child } from '../support/child';
import { API_ENV, asAdmin } from '../api/api-harness';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers/stream'));
let t: TestEnv;
/** A second deployment, so two single-process cases can run side by side. */
let t2: TestEnv;
let redis: Redis;
const children: Child[] = [];
const key = (k: string, env = t) => `${env.redisPrefix}${k}`;
const GROUP = 'fx-stream';

const startWorker = async (extra: Record<string, string> = {}, env = t) => {
  const child = spawnTs('run-worker.ts', { ...env.env, ...extra });
  children.push(child);
  await child.waitForLine(/worker consuming .*1 stream consumer\(s\)/);
  await child.waitForLine(/stream fx-stream: consuming/);
  return child;
};

async function addEntries(from: number, count: number, env = t): Promise<void> {
  for (let i = from; i < from + count; i += 1_000) {
    const pipe = redis.pipeline();
    for (let n = i; n < Math.min(from + count, i + 1_000); n++) pipe.xadd(key('fx:in', env), '*', 'n', String(n));
    await pipe.exec();
  }
}

const pendingCount = async () => Number(((await redis.xpending(key('fx:in'), GROUP)) as [number])[0]);
const consumerOf = async (pid: number) => {
  const rows = (await redis.xinfo('CONSUMERS', key('fx:in'), GROUP)) as unknown[][];
  const c = rows.map((r) => ({ name: String(r[1]), pending: Number(r[3]) })).find((r) => r.name.includes(`-${pid}-`));
  return c;
};

beforeAll(async () => {
  const settings = { ...API_ENV, WORKERS_DIR: WORKERS, STREAM_BLOCK_MS: '200', STREAM_STATE_INTERVAL_MS: '200', LOG_FLUSH_INTERVAL_MS: '50' };
  t = createTestEnv('streamproc', settings);
  t2 = createTestEnv('streamproc2', settings);
  redis = new Redis(REDIS_URL);
});
beforeEach(async () => {
  for (const env of [t, t2]) await redis.del(key('fx:in', env), key('fx:effect', env), key('fx:handled', env), key('fx:by-pid', env), key('state:fx-stream', env));
});
afterEach(async () => {
  await killAll(children);
});
afterAll(async () => {
  await redis.quit();
  await t.cleanup();
  await t2.cleanup();
});

describe('@Stream across worker processes', () => {
  it('two worker processes drain 10,000 entries: each handled once and acked, nothing left pending', async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    await addEntries(0, 10_000);
    await eventually(async () => (await redis.hlen(key('fx:handled'))) === 10_000 && (await pendingCount()) === 0, { what: '10,000 entries handled and acked', timeoutMs: 30_000 });
    const handled = Object.values(await redis.hgetall(key('fx:handled')));
    expect(handled.filter((v) => v !== '1')).toEqual([]);
    const byPid = await redis.hgetall(key('fx:by-pid'));
    expect(Number(byPid[String(a.proc.pid)]) + Number(byPid[String(b.proc.pid)])).toBe(10_000);
    expect(Number(byPid[String(a.proc.pid)])).toBeGreaterThan(0);
    expect(Number(byPid[String(b.proc.pid)])).toBeGreaterThan(0);
  }, 60_000);

  it('SIGKILL of one consumer mid-batch: the other reclaims its entries within claimIdleMs + 2 s; the sink sees each effect once', async () => {
    const env = { STREAM_CLAIM_IDLE_MS: '1000', STREAM_BATCH_SIZE: '50', FX_SLEEP_MS: '150' };
    // A lingers in its first batch after applying its effects, so the kill lands between effect and ack.
    const [a, b] = await Promise.all([startWorker({ ...env, FX_SLEEP_MS: '60000' }), startWorker(env)]);
    await addEntries(0, 1_000);
    const inHand = await eventually(async () => Number(await redis.hget(key('fx:by-pid'), String(a.proc.pid))), { what: "A's batch applied" });
    expect((await consumerOf(a.proc.pid!))?.pending).toBe(inHand);
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    await eventually(async () => ((await consumerOf(a.proc.pid!))?.pending ?? 0) === 0, { what: "A's entries reclaimed", timeoutMs: 3_000, intervalMs: 50 });
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1_000 + 2_000);
    await eventually(async () => (await redis.hlen(key('fx:effect'))) === 1_000 && (await pendingCount()) === 0, { what: 'every entry done', timeoutMs: 30_000 });
    const handled = Object.values(await redis.hgetall(key('fx:handled'))).map(Number);
    expect(handled).toHaveLength(1_000);
    expect(handled.every((n) => n >= 1)).toBe(true);
    // The batch A was killed in had its effects applied but was never acked: B handled it again, and the idempotent
    // sink still holds one effect per entry (HLEN above).
    expect(handled.some((n) => n > 1)).toBe(true);
    expect(b.proc.exitCode).toBeNull();
  }, 60_000);

  it('SIGTERM mid-batch: past the grace period the whole batch stays pending, within it the whole batch is acked — never half', async () => {
    // Two deployments side by side: one whose grace ends mid-batch, one whose batch ends within the grace.
    const [short, long] = await Promise.all([
      startWorker({ FX_SLEEP_MS: '3000', SHUTDOWN_GRACE_MS: '200', STREAM_BATCH_SIZE: '20' }, t),
      startWorker({ FX_SLEEP_MS: '500', STREAM_BATCH_SIZE: '20' }, t2),
    ]);
    await Promise.all([addEntries(0, 100, t), addEntries(0, 100, t2)]);
    const inHand = async (w: Child) => {
      const line = await w.waitForLine(/fx batch \S+ \S+ size 20/);
      return /fx batch (\S+) (\S+) size/.exec(line)!.slice(1, 3) as [string, string];
    };
    const [[s1, s2], [l1, l2]] = await Promise.all([inHand(short), inHand(long)]);
    short.kill('SIGTERM');
    long.kill('SIGTERM');
    expect(await short.exited).toMatchObject({ code: 0 });
    expect(await long.exited).toMatchObject({ code: 0 });
    expect(await redis.xpending(key('fx:in', t), GROUP, s1, s2, 100)).toHaveLength(20);
    expect(await redis.xpending(key('fx:in', t2), GROUP, l1, l2, 100)).toEqual([]);
  }, 30_000);

  describe('control', () => {
    let api: Container;
    let app: FastifyInstance;
    afterAll(async () => {
      await app?.close();
      await api?.close();
    });

    it('disable, enable, stop and start reach both worker processes within 1 s; /workers/:id shows pending and lag', async () => {
      const ws = await Promise.all([startWorker(), startWorker()]);
      api = new Container({ role: 'api-test', env: { ...process.env, ...t.env }, console: false });
      await api.init();
      app = await buildApiApp(api);
      const post = (action: string) => app.inject({ method: 'POST', url: `/workers/fx-stream/${action}`, headers: asAdmin });
      /** Sends a control request; both processes must print the line within 1 s. */
      const inBoth = async (action: string, re: RegExp) => {
        const from = ws.map((w) => w.lines.length);
        expect((await post(action)).statusCode).toBeLessThan(300);
        await Promise.all(ws.map((w, i) => eventuallyLine(w, from[i], re, 1_000)));
      };

      await inBoth('disable', /stream fx-stream: disabled/);
      await addEntries(0, 5);
      const shown = await eventually(async () => {
        const v = (await app.inject({ method: 'GET', url: '/workers/fx-stream', headers: asAdmin })).json() as { state: string; details: Record<string, number> };
        return v.details?.lag === 5 ? v : undefined;
      }, { what: 'lag 5 while disabled' });
      expect(shown).toMatchObject({ state: 'disabled', details: { pending: 0, lag: 5, consumers: 0 } });

      await inBoth('enable', /stream fx-stream: consuming/);
      await eventually(async () => (await redis.hlen(key('fx:handled'))) === 5, { what: 'entries handled after enable', timeoutMs: 2_000 });
      await inBoth('stop', /stream fx-stream: stopped — stop requested/);
      expect((await post('stop')).statusCode).toBe(409);
      await inBoth('start', /stream fx-stream: consuming/);
      await addEntries(5, 5);
      await eventually(async () => (await redis.hlen(key('fx:handled'))) === 10, { what: 'entries handled after start', timeoutMs: 2_000 });
      // Counters and figures reach the live hash every STREAM_STATE_INTERVAL_MS.
      await eventually(async () => {
        const body = (await app.inject({ method: 'GET', url: '/metrics', headers: asAdmin })).body;
        return /sluice_stream_entries_total\{worker="fx-stream",outcome="acked"\} 10\b/.test(body) && /sluice_stream_pending\{worker="fx-stream"\} 0\b/.test(body);
      }, { what: '10 acked entries and nothing pending in /metrics', timeoutMs: 3_000 });
    }, 60_000);
  });
});

/** Waits for a line matching `re` printed after line index `from`, within `timeoutMs`. */
async function eventuallyLine(c: Child, from: number, re: RegExp, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!c.lines.slice(from).some((l) => re.test(l))) {
    if (Date.now() - started > timeoutMs) throw new Error(`no line ${re} within ${timeoutMs} ms:\n${c.lines.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
