/**
 * Two runs of one send chunk at once: a worker lost its task's lock (its event loop stalled) while still sending,
 * and the queue handed the task to another. The older run stops at its next window, the newer one sends the rest,
 * no push goes out twice, and only the newer run's counts are recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLogger } from '../../../app';
import { taskPipeline } from '../../../workers/push/context';
import { createJob, expandJob } from '../../../workers/push/jobs.repository';
import { sendChunk } from '../../../workers/push/send-chunk';
import { eventually } from '../../support/isolation';
import { startPush, type PushFixture } from './push-fixture';

const PUSHES = 400;
let f: PushFixture;

beforeAll(async () => {
  // 20 pushes a window and 20 in flight at 100 ms: ~200 pushes/s, so the first run is mid-chunk when the second starts.
  f = await startPush('overlap', { PUSH_WINDOW_SIZE: '20', FCM_MAX_IN_FLIGHT: '20', LOG_LEVEL: 'warn', EXAMPLES_ENABLED: 'false' }, { latencyMs: 100 }, { worker: false });
});
afterAll(async () => f?.close());

function recordingLogger(lines: string[]): RunLogger {
  const add = (m: string): void => void lines.push(m);
  return { debug: add, info: add, warn: add, error: add };
}

describe('push: two runs of one chunk at once', () => {
  it('the older run stops at its next window; no push goes out twice; the newer run records the counts', async () => {
    const tokens = Array.from({ length: PUSHES }, (_, i) => `tok-overlap-${i}`);
    const job = await createJob(f.store, [{ notification: { title: 'Once' } }], [{ tokens }], false);
    await expandJob(f.store, job, PUSHES);
    const { settings, pipeline } = await taskPipeline({ config: f.container.config, mongo: () => f.container.mongo(), redis: f.container.redis });
    const lines: string[] = [];
    const cx = { pipeline, settings, signal: new AbortController().signal, log: recordingLogger(lines) };

    const older = sendChunk(cx, job._id, 0);
    await eventually(async () => f.fcm.stats.acceptedTotal >= 60, { timeoutMs: 30_000, intervalMs: 5, what: 'the first run sending' });
    const newer = sendChunk(cx, job._id, 0);
    const [a, b] = await Promise.all([older, newer]);
    expect(f.fcm.duplicates()).toEqual([]);

    expect(a).toMatchObject({ superseded: true, completed: false });
    expect(b).toMatchObject({ completed: true });
    expect(b.superseded).toBeUndefined();
    expect(lines.some((l) => /a newer run took this chunk over/.test(l))).toBe(true);

    const chunk = await f.store.chunks.findOne({ _id: `${job._id}:0` });
    expect(chunk).toMatchObject({ state: 'done', attempts: 2 });
    expect(chunk!.counts).toEqual(b.counts);
    expect(b.counts.sent + b.counts.failed).toBe(PUSHES);
    // One log per push; a push the older run had on the wire when the newer one started is in doubt there (at most once).
    expect(await f.store.logs.countDocuments({ jobId: job._id })).toBe(PUSHES);
    expect(await f.store.logs.countDocuments({ jobId: job._id, status: 'sent' })).toBe(b.counts.sent);
    const unconfirmed = await f.store.logs.find({ jobId: job._id, errorCode: 'UNCONFIRMED' }).toArray();
    expect(b.counts.failed).toBe(unconfirmed.length);
    expect(f.fcm.stats.acceptedTotal).toBe(b.counts.sent + unconfirmed.filter((l) => f.fcm.acceptedFor(l.token) === 1).length);
    expect((await f.getJob(job._id)).status).toBe('completed');
  });
});
