/** The service account JSON is a secret: after jobs that succeed and fail, it is in no log, row, job payload, Redis value or response. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFcm, type FakeFcm } from '../../fakes/fcm';
import { startPush, type PushFixture } from './push-fixture';
import { everyRedisValue, everyRow } from '../../support/store-dump';

const CANARY = 'canary-sa-5e1f0c7a9b3d';
let fcm: FakeFcm;
let f: PushFixture;
let keySlice: string;

beforeAll(async () => {
  fcm = await startFakeFcm({ latencyMs: 2 });
  const account = { ...fcm.serviceAccount, private_key_id: CANARY, client_id: CANARY };
  keySlice = account.private_key.split('\n')[5];
  f = await startPush('secrets', { FCM_SERVICE_ACCOUNT: JSON.stringify(account), FCM_BASE_URL: fcm.baseUrl });
});
afterAll(async () => {
  await f?.close();
  await fcm?.close();
});

describe('push: secrets', () => {
  it('the service account reaches only the token endpoint: no log, row, job payload, Redis value, Mongo document or response holds it', async () => {
    await f.app.inject({ method: 'POST', url: '/plugins/push/tokens', payload: { token: 'tok-1', userId: 'u1', platform: 'android' } });
    const ok = await f.waitDone(await f.send({ userIds: ['u1'], notification: { title: 'hi' } }));
    const failed = await f.waitDone(await f.send({ tokens: ['thirdparty-1', 'unregistered-1', 'tok-2'], data: { a: 'b' } }));
    expect(ok.status).toBe('completed');
    expect(failed.status).toBe('failed');
    expect(fcm.token.requests).toBe(1); // the key was used
    await f.container.logWriter.drain();
    await f.container.recorder.drain();

    const responses = [JSON.stringify(ok), JSON.stringify(failed), (await f.app.inject({ method: 'GET', url: '/plugins/push/users/u1/tokens' })).body];
    const mongo: string[] = [];
    for (const name of ['push_tokens', 'push_jobs', 'push_chunks', 'push_intents', 'push_logs']) mongo.push(JSON.stringify(await f.db.collection(name).find({}).toArray()));
    const haystacks = { redis: await everyRedisValue(f.container.redis, f.testEnv.redisPrefix), mysql: await everyRow(f.container.core.pool), mongo: mongo.join('\n'), responses: responses.join('\n') };
    expect(haystacks.mysql).toMatch(/push-send|push-job/); // the rows were looked at
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text.includes(CANARY), `canary in ${where}`).toBe(false);
      expect(text.includes(keySlice), `private key in ${where}`).toBe(false);
      expect(text.includes('PRIVATE KEY'), `PEM in ${where}`).toBe(false);
    }
  });
});
