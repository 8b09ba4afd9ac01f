import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs } from '../../api/api-harness';
import { ADMIN, startPush, type PushFixture } from './push-fixture';

let f: PushFixture;

beforeAll(async () => {
  f = await startPush('basic');
});
afterAll(async () => f?.close());

const register = (body: Record<string, unknown>) => f.app.inject({ method: 'POST', url: '/plugins/push/tokens', payload: body });

describe('push: token registry', () => {
  it('keeps one document per token, moved to the new user, and lists and removes tokens', async () => {
    const first = await register({ token: 'tok-shared', userId: 'alice', platform: 'android', app: 'shop', device: { model: 'Pixel 8' } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ created: true, token: { token: 'tok-shared', userId: 'alice', active: true, device: { model: 'Pixel 8' } } });
    const again = await register({ token: 'tok-shared', userId: 'alice', platform: 'android' });
    expect(again.json()).toMatchObject({ created: false });
    expect(again.json().movedFrom).toBeUndefined();
    const moved = await register({ token: 'tok-shared', userId: 'bob', platform: 'ios' });
    expect(moved.json()).toMatchObject({ created: false, movedFrom: 'alice', token: { userId: 'bob', platform: 'ios' } });
    await Promise.all(Array.from({ length: 5 }, () => register({ token: 'tok-race', userId: 'carol', platform: 'web' })));
    expect(await f.store.tokens.countDocuments({ token: { $in: ['tok-shared', 'tok-race'] } })).toBe(2);

    const alice = await f.app.inject({ method: 'GET', url: '/plugins/push/users/alice/tokens' });
    expect(alice.json()).toEqual({ tokens: [] });
    const bob = await f.app.inject({ method: 'GET', url: '/plugins/push/users/bob/tokens' });
    expect(bob.json().tokens.map((t: { token: string }) => t.token)).toEqual(['tok-shared']);
    expect((await f.app.inject({ method: 'DELETE', url: '/plugins/push/tokens/tok-shared' })).statusCode).toBe(204);
    expect((await f.app.inject({ method: 'DELETE', url: '/plugins/push/tokens/tok-shared' })).statusCode).toBe(404);
    expect((await f.app.inject({ method: 'GET', url: '/plugins/push/users/bob/tokens' })).json()).toEqual({ tokens: [] });
  });

  it('rejects a bad registration with 400 naming the field', async () => {
    const res = await register({ token: 'x', userId: 'u', platform: 'blackberry' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SLUICE_VALIDATION', field: 'body/platform' });
    expect((await register({ userId: 'u', platform: 'ios' })).json().field).toBe('body/token');
  });
});

describe('push: send', () => {
  it('answers 400 naming the field for non-string data, reserved keys, a payload over 4 KB, and a missing target', async () => {
    const post = (payload: Record<string, unknown>) => f.app.inject({ method: 'POST', url: '/plugins/push/send', payload });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ userIds: ['u1'], data: { count: 3 } }, 'body/data/count'],
      [{ userIds: ['u1'], data: { from: 'x' } }, 'body/data/from'],
      [{ userIds: ['u1'], notification: { title: 'x'.repeat(1000), body: 'y'.repeat(3500) } }, 'body'],
      [{ notification: { title: 'hi' } }, 'body/userIds'],
      [{ userIds: ['u1'], tokens: ['t'], notification: { title: 'hi' } }, 'body/tokens'],
      [{ userIds: ['u1'] }, 'body/notification'],
      [{ userIds: ['u1'], notification: { title: 'hi' }, android: { priority: 'urgent' } }, 'body/android/priority'],
      [{ messages: [{ userIds: ['u1'], notification: { title: 'ok' } }, { userIds: ['u2'], data: { n: 1 } }] }, 'body/messages/1/data/n'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json(), res.body).toMatchObject({ statusCode: 400, field });
    }
    expect(await f.store.jobs.countDocuments({})).toBe(0);
    expect((await f.app.raw.inject({ method: 'POST', url: '/plugins/push/send', payload: { tokens: ['t'], notification: { title: 'x' } } })).statusCode).toBe(401);
    expect(await f.store.jobs.countDocuments({})).toBe(0);
  });

  it('sends to users and tokens, deactivates dead tokens, skips them next time, and reports exact counts and outcomes', async () => {
    for (const [token, userId] of [['a1', 'ua'], ['a2', 'ua'], ['unregistered-b', 'ub'], ['invalid-c', 'uc'], ['mismatch-d', 'ud'], ['d2', 'ud']]) {
      await register({ token, userId, platform: 'android' });
    }
    const started = Date.now();
    const jobId = await f.send({ userIds: ['ua', 'ub', 'uc', 'ud', 'nobody'], notification: { title: 'Sale', body: 'today' }, data: { sku: '42' }, android: { priority: 'high', ttl: 3600 } });
    expect(Date.now() - started).toBeLessThan(1_000);
    const job = await f.waitDone(jobId);
    expect(job).toMatchObject({ status: 'completed', targets: 5, counts: { queued: 0, sent: 3, failed: 3, deactivated: 3, retrying: 0, noToken: 1 }, chunks: { total: 1, done: 1 } });
    expect(job.durationMs).toBeGreaterThanOrEqual(0);
    const byToken = Object.fromEntries(job.outcomes.map((o: { token: string }) => [o.token, o]));
    expect(byToken['unregistered-b']).toMatchObject({ status: 'failed', errorCode: 'UNREGISTERED', deactivated: true, userId: 'ub' });
    expect(byToken['invalid-c']).toMatchObject({ status: 'failed', errorCode: 'INVALID_ARGUMENT', deactivated: true });
    expect(byToken['mismatch-d']).toMatchObject({ status: 'failed', errorCode: 'SENDER_ID_MISMATCH', deactivated: true });
    expect(byToken.a1).toMatchObject({ status: 'sent', attempts: 1, errorCode: null });
    expect((await f.app.inject({ method: 'GET', url: '/plugins/push/users/ub/tokens?includeInactive=true' })).json().tokens[0]).toMatchObject({ active: false, deactivationReason: 'UNREGISTERED' });
    const page = await f.getJob(jobId, '?limit=2');
    expect(page.outcomes).toHaveLength(2);
    const rest = await f.getJob(jobId, `?limit=10&cursor=${encodeURIComponent(page.nextCursor)}`);
    expect([...page.outcomes, ...rest.outcomes].map((o: { token: string }) => o.token).sort()).toEqual(['a1', 'a2', 'd2', 'invalid-c', 'mismatch-d', 'unregistered-b']);
    expect(rest.nextCursor).toBeNull();
    expect((await f.getJob(jobId, '?status=failed')).outcomes).toHaveLength(3);

    const second = await f.waitDone(await f.send({ userIds: ['ua', 'ub', 'uc', 'ud'], notification: { title: 'Again' } }));
    expect(second.counts).toMatchObject({ sent: 3, failed: 0, deactivated: 0, noToken: 2 });
    expect(f.fcm.duplicates()).toEqual([]);
    const progress = f.events.filter((e) => e.type === 'push.progress' && e.data.jobId === jobId);
    expect(progress.at(-1)?.data).toMatchObject({ status: 'completed', counts: { sent: 3, failed: 3 } });
    expect((await f.app.inject({ method: 'GET', url: '/plugins/push/jobs/nope' })).statusCode).toBe(404);
  });

  it('sends many distinct messages of one bulk request (push.progress on /ws), and a dry run validates without delivering', async () => {
    const accepted = f.fcm.stats.acceptedTotal;
    const url = await f.app.raw.listen({ host: '127.0.0.1', port: 0 });
    const ws = await connectWs(url, '', ['sluice.v1', `bearer.${ADMIN}`]);
    const jobId = await f.send({ messages: [
      { tokens: ['bulk-1', 'bulk-2'], notification: { title: 'one' } },
      { tokens: ['bulk-3'], data: { kind: 'two' } },
      { tokens: ['bulk-1'], notification: { title: 'three' } },
    ] });
    const job = await f.waitDone(jobId);
    expect(job).toMatchObject({ status: 'completed', messages: 3, targets: 4, counts: { sent: 4, failed: 0 } });
    const done = await ws.next((e) => (e.type as string) === 'push.progress' && e.data.jobId === jobId && e.data.status === 'completed');
    expect(done.data).toMatchObject({ chunks: 3, chunksDone: 3, counts: { sent: 4, failed: 0, queued: 0 } });
    ws.close();
    expect(f.fcm.acceptedFor('bulk-1')).toBe(2);
    expect(f.fcm.stats.acceptedTotal - accepted).toBe(4);
    const dry = await f.waitDone(await f.send({ tokens: ['dry-1', 'unregistered-dry'], notification: { title: 'dry' }, dryRun: true }));
    expect(dry).toMatchObject({ dryRun: true, counts: { sent: 1, failed: 1, deactivated: 0 } });
    expect(f.fcm.acceptedFor('dry-1')).toBe(0);
  });
});
