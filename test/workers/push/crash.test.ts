import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnTs, type Child } from '../../support/child';
import { eventually } from '../../support/isolation';
import { startPush, type PushFixture } from './push-fixture';

const PUSHES = 4_000;
const IN_FLIGHT = 200;
const LOG_BATCH = 100;
const SEND_CONCURRENCY = 4;
/** PUSH_WINDOW_SIZE's default: each send task records one window ahead of its in-flight slots. */
const WINDOW = 50;
let f: PushFixture;
const children: Child[] = [];

beforeAll(async () => {
  // No worker in this process: the job runs in child workers, the first one SIGKILLed mid-job.
  f = await startPush('crash', {
    QUEUE_LOCK_DURATION_MS: '3000', QUEUE_STALLED_INTERVAL_MS: '1000', QUEUE_DRAIN_DELAY_S: '1', FCM_MAX_IN_FLIGHT: String(IN_FLIGHT), PUSH_LOG_BATCH: String(LOG_BATCH),
    PUSH_CHUNK_SIZE: '1000', PUSH_SEND_CONCURRENCY: String(SEND_CONCURRENCY), PUSH_WINDOW_SIZE: String(WINDOW), LOG_LEVEL: 'warn', EXAMPLES_ENABLED: 'false',
  }, { latencyMs: 40 }, { worker: false });
});
afterAll(async () => {
  await killAll(children);
  await f?.close();
});

describe('push: crash safety', () => {
  it('SIGKILL of the worker mid-job: another worker completes it, no message accepted twice, every push accounted for', async () => {
    const tokens = Array.from({ length: PUSHES }, (_, i) => `tok-${i}`);
    const a = spawnTs('run-worker.ts', f.env);
    children.push(a);
    const jobId = await f.send({ tokens, notification: { title: 'Crash test' } });
    await eventually(async () => f.fcm.stats.acceptedTotal >= 1_000, { timeoutMs: 60_000, what: 'the first worker to be sending' });
    a.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const acceptedAtKill = f.fcm.stats.acceptedTotal;
    expect(acceptedAtKill).toBeLessThan(PUSHES);

    const b = spawnTs('run-worker.ts', f.env);
    children.push(b);
    const job = await f.waitDone(jobId, 90_000);
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ queued: 0, retrying: 0 });
    expect(job.counts.sent + job.counts.failed).toBe(PUSHES);
    expect(f.fcm.duplicates()).toEqual([]);

    const logs = await f.store.logs.find({ jobId }).toArray();
    expect(new Set(logs.map((l) => l.token)).size).toBe(PUSHES);
    const unconfirmed = logs.filter((l) => l.errorCode === 'UNCONFIRMED');
    for (const l of logs) {
      if (l.status === 'sent') expect(f.fcm.acceptedFor(l.token), l.token).toBe(1);
      else expect(l.errorCode, `${l.token}: ${l.error}`).toBe('UNCONFIRMED');
    }
    // In doubt are only the pushes that held an in-flight slot when the worker died, the window each task had
    // recorded ahead of its slots, and answered ones whose outcome was still in the log bucket (at most
    // PUSH_LOG_BATCH); FCM took nearly all of them.
    expect(unconfirmed.length).toBeLessThanOrEqual(IN_FLIGHT + LOG_BATCH + SEND_CONCURRENCY * WINDOW);
    const neverDelivered = unconfirmed.filter((l) => f.fcm.acceptedFor(l.token) === 0).length;
    console.log(JSON.stringify({ acceptedAtKill, unconfirmed: unconfirmed.length, unconfirmedButDelivered: unconfirmed.length - neverDelivered, neverDelivered }));
    expect(f.fcm.stats.acceptedTotal).toBe(PUSHES - neverDelivered);
  }, 150_000); // two worker processes boot under tsx: slow on a busy machine
});
