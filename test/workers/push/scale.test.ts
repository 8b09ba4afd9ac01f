import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTokens, startPush, type PushFixture } from './push-fixture';

/**
 * The acceptance case is 50,000 users / 100,000 pushes (PUSH_SCALE_USERS=50000, about 1–2 min on a quiet machine with
 * MongoDB's wire test server in this process); the suite runs it at 1/10 so the file stays under a minute on
 * a shared 2-core box. Ratios (1–3 tokens per user, 5 % unregistered, 1 % invalid) are the same.
 */
const USERS = Number(process.env.PUSH_SCALE_USERS ?? 5_000);
const PUSHES = USERS * 2;
let f: PushFixture;

/** User i has 1–3 tokens (user 0 one more: 2 × USERS in all); every 20th token is unregistered, every 100th (+1) invalid. */
function fleet(): { docs: Array<{ token: string; userId: string }>; bad: Set<string> } {
  const docs: Array<{ token: string; userId: string }> = [];
  const bad = new Set<string>();
  for (let u = 0; u < USERS; u++) {
    for (let k = 0; k <= u % 3 + (u === 0 ? 1 : 0); k++) {
      const j = docs.length;
      const token = j % 20 === 0 ? `unregistered-${j}` : j % 100 === 1 ? `invalid-${j}` : `tok-${j}`;
      if (token !== `tok-${j}`) bad.add(token);
      docs.push({ token, userId: `user-${u}` });
    }
  }
  return { docs, bad };
}

beforeAll(async () => {
  f = await startPush('scale', { PUSH_CHUNK_SIZE: '1000', PUSH_SEND_CONCURRENCY: '8', FCM_MAX_IN_FLIGHT: '500' }, { latencyMs: 2 });
});
afterAll(async () => f?.close());

describe('push at scale', () => {
  it(`${PUSHES} pushes to ${USERS} users: every push ends sent or failed with its FCM error, bad tokens are deactivated and skipped next time, counts exact`, async () => {
    const { docs, bad } = fleet();
    expect(docs).toHaveLength(PUSHES);
    expect(bad.size).toBe(PUSHES * 0.06);
    await seedTokens(f.store, docs);
    const userIds = Array.from({ length: USERS }, (_, u) => `user-${u}`);
    const started = Date.now();
    const jobId = await f.send({ userIds, notification: { title: 'Flash sale', body: 'Up to 50 % off' }, data: { campaign: 'c-1' } });
    const answeredMs = Date.now() - started;
    const job = await f.waitDone(jobId, 600_000);
    console.log(JSON.stringify({ answeredMs, durationMs: job.durationMs, pushesPerSecond: Math.round(PUSHES / (job.durationMs / 1000)), fcm: f.fcm.stats }));
    expect(answeredMs).toBeLessThan(2_000);
    expect(job).toMatchObject({ status: 'completed', targets: USERS, counts: { queued: 0, retrying: 0, sent: PUSHES * 0.94, failed: PUSHES * 0.06, deactivated: PUSHES * 0.06, noToken: 0 } });
    expect(await f.store.logs.countDocuments({ jobId })).toBe(PUSHES);
    expect(await f.store.logs.countDocuments({ jobId, status: 'failed', errorCode: 'UNREGISTERED', token: /^unregistered-/ })).toBe(PUSHES * 0.05);
    expect(await f.store.logs.countDocuments({ jobId, status: 'failed', errorCode: 'INVALID_ARGUMENT', token: /^invalid-/ })).toBe(PUSHES * 0.01);
    expect(await f.store.tokens.countDocuments({ active: false })).toBe(PUSHES * 0.06);
    expect(f.fcm.stats.acceptedTotal).toBe(PUSHES * 0.94);
    // One OAuth token for the whole process (cached for its hour), however many tasks sent.
    expect(f.fcm.token.requests).toBe(1);
    expect(f.fcm.duplicates()).toEqual([]);

    // The next send to the users who had a bad token reaches only their good tokens.
    const badOwners = [...new Set(docs.filter((d) => bad.has(d.token)).map((d) => d.userId))];
    const requestsBefore = f.fcm.stats.requests;
    const next = await f.waitDone(await f.send({ userIds: badOwners, notification: { title: 'Again' } }), 60_000);
    const owners = new Set(badOwners);
    const goodOfThem = docs.filter((d) => owners.has(d.userId) && !bad.has(d.token)).length;
    expect(next.counts).toMatchObject({ sent: goodOfThem, failed: 0, deactivated: 0, queued: 0 });
    expect(f.fcm.stats.requests - requestsBefore).toBe(goodOfThem);
  }, 900_000);
});
