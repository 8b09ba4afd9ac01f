import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../app/core/runtime/container';
import { startBeatRole } from '../../app/core/runtime/beat';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { ROOT, killAll, spawnTs, type Child } from '../support/child';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers/beat'));
let t: TestEnv;
let observer: Container;
const children: Child[] = [];

beforeAll(async () => {
  t = createTestEnv('beat', { WORKERS_DIR: WORKERS, EXECUTION_FLUSH_INTERVAL_MS: '20' });
  observer = new Container({ role: 'test', env: { ...process.env, ...t.env }, console: false });
  await observer.init();
});
afterEach(async () => {
  await killAll(children);
});
afterAll(async () => {
  await observer?.close();
  await t?.cleanup();
});

/** Seconds (epoch) of every fire enqueued so far, from the Bull job ids `beat-tick:<ISO>`. */
async function firedSeconds(): Promise<number[]> {
  const jobs = await observer.queues.get('beat-tick').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((j) => Date.parse(String(j.id).slice('beat-tick:'.length)) / 1000).sort((a, b) => a - b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('beat', () => {
  it('three beats: every fired second is enqueued exactly once; after SIGKILL of the leader a gap of at most 10 s', async () => {
    const beats = [0, 1, 2].map(() => spawnTs('run-beat.ts', t.env));
    children.push(...beats);
    await Promise.all(beats.map((b) => b.waitForLine(/beat scheduling 1 schedule/)));
    const leader = await Promise.race(beats.map((b) => b.waitForLine(/this process is the leader/).then(() => b)));
    await sleep(20_000); // the scenario: three beats side by side for 20 s
    const before = await firedSeconds();
    expect(before.length).toBeGreaterThanOrEqual(18);
    for (let i = 1; i < before.length; i++) expect(before[i] - before[i - 1], `second after ${before[i - 1]}`).toBe(1);

    leader.kill('SIGKILL');
    await leader.exited;
    const killedAt = Date.now() / 1000;
    // The leader's last fire, read once it is dead (it may have fired again after `before` was read; the others
    // cannot fire before its lease runs out).
    const lastBefore = Math.max(...(await firedSeconds()));
    const others = beats.filter((b) => b !== leader);
    await Promise.race(others.map((b) => b.waitForLine(/this process is the leader/, 20_000)));
    await eventually(async () => (await firedSeconds()).filter((s) => s > killedAt).length >= 5, { timeoutMs: 30_000, what: 'fires after the takeover' });
    const after = (await firedSeconds()).filter((s) => s > lastBefore);
    expect(after[0] - lastBefore).toBeLessThanOrEqual(10);
    for (let i = 1; i < after.length; i++) expect(after[i] - after[i - 1], `second after ${after[i - 1]}`).toBe(1);

    // Exactly once: one Bull job and one execution row per fired second. Stop the beats first (a graceful stop
    // flushes their batched rows), so both counts are final.
    for (const b of others) b.kill('SIGTERM');
    for (const b of others) expect((await b.exited).code).toBe(0);
    const all = await firedSeconds();
    expect(new Set(all).size).toBe(all.length);
    await observer.recorder.drain();
    const [rows] = await observer.core.pool.query("SELECT COUNT(*) AS n FROM executions WHERE worker_id = 'beat-tick'");
    expect(Number((rows as Array<{ n: number }>)[0].n)).toBe(all.length);
  }, 90_000);

  it('a schedule disabled or changed through the core is honoured by a running beat within 1 s', async () => {
    const beatContainer = new Container({ role: 'test-beat', env: { ...process.env, ...t.env }, console: false });
    const beat = await startBeatRole(beatContainer);
    try {
      await eventually(async () => beat.lease.isLeader, { what: 'leadership' });
      const key = observer.keys.nextFire('beat-tick');
      await eventually(async () => observer.redis.get(key), { what: 'next fire published' });

      expect(await observer.mirror.setSchedule('beat-tick', '*/2 * * * * *', 'UTC')).toBe(true);
      const changedAt = Date.now();
      const next = await eventually(async () => {
        const v = await observer.redis.get(key);
        return v && new Date(v).getUTCSeconds() % 2 === 0 && Date.now() - changedAt < 1_000 ? v : undefined;
      }, { timeoutMs: 1_000, intervalMs: 20, what: 'the new cron to be scheduled' });
      expect(new Date(next).getUTCSeconds() % 2).toBe(0);

      expect(await observer.mirror.setEnabled('beat-tick', false)).toBe(true);
      await eventually(async () => (await observer.redis.exists(key)) === 0, { timeoutMs: 1_000, intervalMs: 20, what: 'the schedule to be dropped' });
      const count = (await firedSeconds()).length;
      await sleep(2_500); // a disabled per-2-second schedule must not fire during this window
      expect((await firedSeconds()).length).toBe(count);

      expect(await observer.mirror.setEnabled('beat-tick', true)).toBe(true);
      await eventually(async () => (await firedSeconds()).length > count, { timeoutMs: 5_000, what: 'fires after re-enabling' });
    } finally {
      await beat.stop();
      await beatContainer.close();
    }
  }, 60_000);
});
