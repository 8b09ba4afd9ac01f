import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnTs, type Child } from '../../support/child';
import { eventually } from '../../support/isolation';
import { startPush, type PushFixture } from './push-fixture';

const PUSHES = 4_000;
let f: PushFixture;
const children: Child[] = [];

beforeAll(async () => {
  // One chunk for the whole job; ~500 pushes/s (100 in flight at 200 ms) so it is still sending at each kill.
  // QUEUE_MAX_STALLED_COUNT 1: the first stall hands the task on, the second makes the queue give up on it.
  f = await startPush('abandoned', {
    QUEUE_LOCK_DURATION_MS: '3000', QUEUE_STALLED_INTERVAL_MS: '1000', QUEUE_MAX_STALLED_COUNT: '1', QUEUE_DRAIN_DELAY_S: '1',
    FCM_MAX_IN_FLIGHT: '100', PUSH_CHUNK_SIZE: String(PUSHES), PUSH_LOG_BATCH: '100', LOG_LEVEL: 'warn', EXAMPLES_ENABLED: 'false',
  }, { latencyMs: 200 }, { worker: false });
});
afterAll(async () => {
  await killAll(children);
  await f?.close();
});

async function killWhileSending(atLeast: number): Promise<number> {
  const child = spawnTs('run-worker.ts', f.env);
  children.push(child);
  await eventually(async () => f.fcm.stats.acceptedTotal >= atLeast, { timeoutMs: 60_000, intervalMs: 20, what: `a worker sending (${atLeast} accepted)` });
  child.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
  return f.fcm.stats.acceptedTotal;
}

describe('push: a chunk the queue gives up on', () => {
  it('two workers SIGKILLed in the same chunk: the chunk is closed failed with the reason, every push has an outcome, counts exact', async () => {
    const tokens = Array.from({ length: PUSHES }, (_, i) => `tok-${i}`);
    const jobId = await f.send({ tokens, notification: { title: 'Abandon me' } });
    const first = await killWhileSending(300);
    const second = await killWhileSending(first + 300);
    expect(second).toBeLessThan(PUSHES);

    // A live worker's stall check finds the task stalled a second time and fails it; onAbandoned closes the chunk.
    await f.startWorker();
    const job = await f.waitDone(jobId, 30_000);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/send task of chunk 0 gave up: job stalled more than allowable limit/);
    expect(job.chunks).toEqual({ total: 1, done: 1 });
    expect(job.counts).toMatchObject({ queued: 0, retrying: 0 });
    expect(job.counts.sent + job.counts.failed).toBe(PUSHES);
    expect(f.fcm.duplicates()).toEqual([]);

    // Every push is listed with its outcome, and the list agrees with the counts.
    const outcomes: Array<{ token: string; status: string; errorCode: string | null }> = [];
    let cursor: string | null = null;
    do {
      const page = await f.getJob(jobId, `?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      outcomes.push(...page.outcomes);
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(outcomes.map((o) => o.token)).size).toBe(PUSHES);
    const sent = outcomes.filter((o) => o.status === 'sent');
    expect(sent.length).toBe(job.counts.sent);
    expect(outcomes.filter((o) => o.status === 'failed').length).toBe(job.counts.failed);
    for (const o of sent) expect(f.fcm.acceptedFor(o.token), o.token).toBe(1);
    const byCode = new Map<string, typeof outcomes>();
    for (const o of outcomes.filter((x) => x.status === 'failed')) byCode.set(o.errorCode!, [...(byCode.get(o.errorCode!) ?? []), o]);
    expect([...byCode.keys()].sort()).toEqual(['CHUNK_FAILED', 'UNCONFIRMED']);
    // Never sent: FCM has none of them. On the wire at a kill: FCM may have taken them, none twice.
    for (const o of byCode.get('CHUNK_FAILED')!) expect(f.fcm.acceptedFor(o.token), o.token).toBe(0);
    const unconfirmedDelivered = byCode.get('UNCONFIRMED')!.filter((o) => f.fcm.acceptedFor(o.token) === 1).length;
    expect(f.fcm.stats.acceptedTotal).toBe(sent.length + unconfirmedDelivered);
    console.log(JSON.stringify({ acceptedAtKills: [first, second], sent: sent.length, chunkFailed: byCode.get('CHUNK_FAILED')!.length, unconfirmed: byCode.get('UNCONFIRMED')!.length, unconfirmedDelivered }));

    // The end is announced on /ws with the same counts (the event channel masks `noToken`: its key names a token).
    const ev = await f.waitForEvent((e) => e.type === 'push.progress' && (e.data as { jobId: string; status: string }).jobId === jobId && (e.data as { status: string }).status === 'failed');
    const { noToken: _masked, ...shown } = job.counts;
    expect((ev.data as { counts: Record<string, unknown> }).counts).toMatchObject(shown);
  }, 150_000); // two worker processes boot under tsx: slow on a busy machine
});
