import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/isolation';
import { createJob, expandJob, giveUpChunk } from '../../../workers/push/jobs.repository';
import { startPush, type PushFixture } from './push-fixture';

let f: PushFixture;

beforeAll(async () => {
  f = await startPush('faults', { FCM_RETRY_BASE_MS: '20', FCM_RETRY_MAX_MS: '3000', FCM_MAX_ATTEMPTS: '8', PUSH_CHUNK_SIZE: '500' }, { latencyMs: 3, unavailableRate: 0.1 });
});
afterAll(async () => f?.close());

describe('push: FCM faults', () => {
  it('10 % of requests answered 503 and bursts of 429: everything is eventually sent, nothing accepted twice', async () => {
    const tokens = Array.from({ length: 4_000 }, (_, i) => (i % 50 === 0 ? `500-${i}` : `tok-${i}`));
    const jobId = await f.send({ tokens, notification: { title: 'Retry me' } });
    for (let burst = 0; burst < 2; burst++) {
      const at = f.fcm.stats.requests + 800;
      await eventually(async () => f.fcm.stats.requests >= at, { timeoutMs: 30_000, what: `request ${at}` });
      f.fcm.burst429(150, 1);
    }
    const job = await f.waitDone(jobId, 50_000);
    expect(job).toMatchObject({ status: 'completed', counts: { sent: 4_000, failed: 0, retrying: 0, queued: 0 } });
    expect(f.fcm.stats.byStatus[503]).toBeGreaterThan(200);
    expect(f.fcm.stats.byStatus[429]).toBe(300);
    expect(f.fcm.stats.byStatus[500]).toBe(80);
    expect(f.fcm.duplicates()).toEqual([]);
    expect(f.fcm.stats.acceptedTotal).toBe(4_000);
    const retried = await f.store.logs.countDocuments({ jobId, status: 'sent', attempts: { $gt: 1 } });
    expect(retried).toBeGreaterThan(300);
  });

  it('a chunk whose send task gave up for good ends failed: its waiting pushes fail, the job closes as failed with the reason', async () => {
    const job = await createJob(f.store, [{ notification: { title: 'x' } }], [{ tokens: ['gu-a', 'gu-b', 'gu-c'] }], false);
    await expandJob(f.store, job, 500);
    await f.store.chunks.updateOne({ _id: `${job._id}:0` }, { $set: { state: 'running', pushes: 3 } });
    const base = { jobId: job._id, chunk: 0, msg: 0, userId: null, seq: 1, attempts: 1, at: new Date() };
    await f.store.logs.insertMany([{ ...base, _id: `${job._id}:0:gu-a`, token: 'gu-a', status: 'sent' }, { ...base, _id: `${job._id}:0:gu-b`, token: 'gu-b', status: 'retrying', errorCode: 'UNAVAILABLE' }]);
    await giveUpChunk(f.store, job._id, 0, 'MongoServerError: boom');
    const view = await f.getJob(job._id);
    expect(view).toMatchObject({ status: 'failed', counts: { sent: 1, failed: 2, retrying: 0, queued: 0 }, chunks: { total: 1, done: 1 } });
    expect(view.error).toMatch(/chunk 0 gave up: MongoServerError: boom/);
    expect(view.outcomes.find((o: { token: string }) => o.token === 'gu-b')).toMatchObject({ status: 'failed', errorCode: 'CHUNK_FAILED' });
  });

  // Last: closing a second fixture in this process closes the process's MongoDB hubs (the core keeps them global).
  it('THIRD_PARTY_AUTH_ERROR fails the job with what to fix and keeps the tokens; bad credentials fail it at once', async () => {
    const jobId = await f.send({ tokens: ['thirdparty-1', 'ok-1'], notification: { title: 'APNs broken' } });
    const job = await f.waitDone(jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/THIRD_PARTY_AUTH_ERROR.*APNs certificate\/auth key.*Firebase console.*tokens kept/);
    expect(job.outcomes.find((o: { token: string }) => o.token === 'thirdparty-1')).toMatchObject({ status: 'failed', errorCode: 'THIRD_PARTY_AUTH_ERROR', deactivated: false });
    expect(job.counts).toMatchObject({ queued: 0, retrying: 0 });
    expect(job.counts.sent + job.counts.failed).toBe(2);

    const fake = f.fcm.serviceAccount;
    const stranger = { ...fake, private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const bad = await startPush('badcreds', { FCM_SERVICE_ACCOUNT: JSON.stringify({ ...stranger, token_uri: fake.token_uri }), FCM_BASE_URL: f.fcm.baseUrl });
    try {
      await bad.app.inject({ method: 'POST', url: '/plugins/push/tokens', payload: { token: 'kept-1', userId: 'u1', platform: 'ios' } });
      const requests = f.fcm.stats.requests;
      const failed = await bad.waitDone(await bad.send({ userIds: ['u1'], notification: { title: 'never' } }));
      expect(failed).toMatchObject({ status: 'failed', counts: { sent: 0 } });
      expect(failed.error).toMatch(/refused the service account .*invalid_grant \(Invalid JWT Signature\.\)\. Check FCM_SERVICE_ACCOUNT/);
      expect(failed.error).not.toMatch(/PRIVATE KEY/);
      expect(f.fcm.stats.requests).toBe(requests);
      expect((await bad.app.inject({ method: 'GET', url: '/plugins/push/users/u1/tokens' })).json().tokens).toMatchObject([{ token: 'kept-1', active: true }]);
    } finally {
      await bad.close();
    }
  });

});
