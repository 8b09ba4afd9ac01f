import { generateKeyPairSync } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FcmClient, FcmCredentialsError, FcmSender, SharedQuota, parseServiceAccount, type FcmMessage } from '../../../plugins/fcm';
import { startFakeFcm, type FakeFcm } from '../../fakes/fcm';
import { createTestEnv, REDIS_URL, type TestEnv } from '../../support/isolation';

let fcm: FakeFcm;
let env: TestEnv;
let redis: Redis;

function clientFor(f: FakeFcm, account = JSON.stringify(f.serviceAccount)): FcmClient {
  return new FcmClient({ account: parseServiceAccount(account), baseUrl: f.baseUrl, timeoutMs: 5_000 });
}

const msg = (token: string, extra: Partial<FcmMessage> = {}): FcmMessage => ({ token, notification: { title: 'Hello', body: `for ${token}` }, ...extra });

beforeAll(async () => {
  fcm = await startFakeFcm({ latencyMs: 20 });
  env = createTestEnv('fcm');
  redis = new Redis(REDIS_URL, { keyPrefix: env.redisPrefix });
});
afterAll(async () => {
  await fcm?.close();
  redis?.disconnect();
  await env?.cleanup();
});

describe('FCM client and sender', () => {
  it('sends one request per message over several HTTP/2 sessions, up to the in-flight limit, with one access token', async () => {
    const client = clientFor(fcm);
    const sender = new FcmSender({ client, maxInFlight: 250 });
    const before = fcm.stats.acceptedTotal;
    const outcomes = await Promise.all(Array.from({ length: 2_000 }, (_, i) => sender.send(msg(`tok-${i}`))));
    expect(outcomes.every((o) => o.kind === 'sent' && o.name?.startsWith(`projects/${fcm.projectId}/messages/`))).toBe(true);
    expect(fcm.stats.acceptedTotal - before).toBe(2_000);
    expect(fcm.duplicates()).toEqual([]);
    expect(fcm.stats.maxInFlight).toBeLessThanOrEqual(250);
    expect(fcm.stats.maxInFlight).toBeGreaterThan(100);
    expect(client.sessions).toBeGreaterThanOrEqual(3);
    expect(client.tokens.requests).toBe(1);
    await client.close();
  });

  it('an answer slower than the timeout is cancelled and reported unconfirmed (the request went out); quick ones are not', async () => {
    const slow = await startFakeFcm({ latencyMs: 5, slowLatencyMs: 2_000 });
    const client = new FcmClient({ account: parseServiceAccount(JSON.stringify(slow.serviceAccount)), baseUrl: slow.baseUrl, timeoutMs: 300 });
    try {
      const started = Date.now();
      const [late, quick] = await Promise.all([client.send(msg('slow-1')), client.send(msg('ok-2'))]);
      expect(late).toMatchObject({ kind: 'unconfirmed', errorCode: 'UNCONFIRMED' });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(quick).toMatchObject({ kind: 'sent' });
    } finally {
      await client.close();
      await slow.close();
    }
  });

  it('classifies FCM answers: dead tokens, payload errors, sender errors', async () => {
    const client = clientFor(fcm);
    const sender = new FcmSender({ client, retryBaseMs: 10 });
    const [gone, invalid, mismatch, badData, apns] = await Promise.all([
      sender.send(msg('unregistered-1')), sender.send(msg('invalid-1')), sender.send(msg('mismatch-1')),
      sender.send(msg('ok-1', { data: { n: 1 as unknown as string } })), sender.send(msg('thirdparty-1')),
    ]);
    expect(gone).toMatchObject({ kind: 'deactivate', errorCode: 'UNREGISTERED', httpStatus: 404, attempts: 1 });
    expect(invalid).toMatchObject({ kind: 'deactivate', errorCode: 'INVALID_ARGUMENT' });
    expect(mismatch).toMatchObject({ kind: 'deactivate', errorCode: 'SENDER_ID_MISMATCH' });
    expect(badData).toMatchObject({ kind: 'payload', errorCode: 'INVALID_ARGUMENT', attempts: 1, error: expect.stringMatching(/message\.data\[0\]\.value/) });
    expect(apns).toMatchObject({ kind: 'sender', errorCode: 'THIRD_PARTY_AUTH_ERROR' });
    await client.close();
  });

  it('retries 503, 500 and 429 with backoff honouring Retry-After, and never resends an accepted message', async () => {
    const client = clientFor(fcm);
    const sender = new FcmSender({ client, retryBaseMs: 20, retryMaxMs: 5_000 });
    const retries: number[] = [];
    fcm.burst429(3, 1);
    const started = Date.now();
    const outcomes = await Promise.all(['503-a', '500-b', 'plain-c', 'plain-d', 'plain-e'].map((t) => sender.send(msg(t), { onRetry: (_o, _a, d) => { retries.push(d); } })));
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    // five first tries, three answered 429, and one 503 and one 500 before they were taken
    expect(outcomes.reduce((n, o) => n + o.attempts, 0)).toBe(5 + 3 + 2);
    expect(Math.max(...retries)).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    for (const t of ['503-a', '500-b', 'plain-c', 'plain-d', 'plain-e']) expect(fcm.acceptedFor(t)).toBe(1);
    await client.close();
  });

  it('refreshes the access token when it expires or FCM refuses it, and reports bad credentials with what to fix', async () => {
    const short = await startFakeFcm({ latencyMs: 1 });
    short.token.lifetimeS = 2;
    const client = clientFor(short);
    expect((await client.send(msg('a'))).kind).toBe('sent');
    expect((await client.send(msg('b'))).kind).toBe('sent');
    expect(client.tokens.requests).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100)); // the 2 s token is refreshed after half its life
    expect((await client.send(msg('c'))).kind).toBe('sent');
    expect(client.tokens.requests).toBe(2);
    short.revokeTokens();
    expect((await client.send(msg('d'))).kind).toBe('sent');
    expect(client.tokens.requests).toBe(3);

    const stranger = { ...short.serviceAccount, private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const bad = clientFor(short, JSON.stringify(stranger));
    const err = await bad.send(msg('e')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FcmCredentialsError);
    expect((err as Error).message).toMatch(/refused the service account .*invalid_grant \(Invalid JWT Signature\.\).*Check FCM_SERVICE_ACCOUNT/);
    expect((err as Error).message).not.toContain('PRIVATE KEY');
    expect(() => parseServiceAccount('{"type":"service_account"}')).toThrow(/no "project_id"/);
    await Promise.all([client.close(), bad.close(), short.close()]);
  });

  it('shares the per-minute quota across processes through Redis', async () => {
    const a = new SharedQuota({ redis, key: 'p1', perMinute: 40, grant: 10 });
    const b = new SharedQuota({ redis: redis.duplicate(), key: 'p1', perMinute: 40, grant: 10 });
    // Both take until the minute's 40 are gone (each holds at most a grant ahead): together exactly 40, then both wait.
    let taken = 0;
    const drain = async (q: SharedQuota): Promise<string> => {
      for (;;) {
        try {
          await q.take(AbortSignal.timeout(300));
          taken++;
        } catch (err) {
          return (err as Error).name;
        }
      }
    };
    expect(await Promise.all([drain(a), drain(b)])).toEqual(['TimeoutError', 'TimeoutError']);
    expect(taken).toBe(40);
    expect(a.waits + b.waits).toBeGreaterThan(0);
  });
});
