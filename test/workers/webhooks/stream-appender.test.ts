/**
 * The intake's batched append (stream-appender.ts + append-entries.lua) against the real Redis: the entries asked
 * for in one event-loop turn go out in one call, in order, with the fields a plain XADD stores; the client's key
 * prefix applies; MAXLEN ~ bounds the stream; a failed call rejects every caller of its batch, and the API answers
 * them 500 `append_failed`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis, type Command } from 'ioredis';
import { createTestEnv, REDIS_URL, type TestEnv } from '../../support/isolation';
import { StreamAppender } from '../../../workers/webhooks/stream-appender';
import { asAdmin } from '../../api/api-harness';
import { orderPushBody, signPush } from './senders';
import { startWebhookApi } from './webhook-api';

let t: TestEnv;
let prefixed: Redis;
let plain: Redis;
/** Names of the commands the prefixed client sent (the appender's calls among them). */
const sent: string[] = [];

beforeAll(async () => {
  t = createTestEnv('wh_appender');
  prefixed = new Redis(REDIS_URL, { keyPrefix: `${t.redisPrefix}plugin:webhooks:`, enableAutoPipelining: true });
  plain = new Redis(REDIS_URL);
  // Connected before the spy goes in: the handshake's commands are not counted.
  await prefixed.ping();
  const send = prefixed.sendCommand.bind(prefixed);
  prefixed.sendCommand = ((cmd: Command, ...rest: unknown[]) => {
    sent.push(cmd.name);
    return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
  }) as typeof prefixed.sendCommand;
});
afterAll(async () => {
  await prefixed?.quit();
  await plain?.quit();
  await t?.cleanup();
});

type Entry = [string, string[]];
const entries = (key: string) => plain.xrange(`${t.redisPrefix}plugin:webhooks:${key}`, '-', '+') as Promise<Entry[]>;

describe('StreamAppender', () => {
  it('appends the entries of one turn in one call, in order, under the client key prefix', async () => {
    const appender = new StreamAppender(prefixed, { key: 'one-turn', maxLen: 1_000, maxBatch: 200 });
    sent.length = 0;
    await Promise.all(Array.from({ length: 50 }, (_, i) => appender.append(['key', `k${i}`, 'id', String(i)])));
    expect(sent).toEqual(['eval']);
    const got = await entries('one-turn');
    expect(got.map(([, f]) => f)).toEqual(Array.from({ length: 50 }, (_, i) => ['key', `k${i}`, 'id', String(i)]));
    expect(await plain.exists('one-turn')).toBe(0);
  });

  it('splits a turn into calls of at most maxBatch entries', async () => {
    const appender = new StreamAppender(prefixed, { key: 'split', maxLen: 1_000, maxBatch: 8 });
    sent.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => appender.append(['id', String(i)])));
    expect(sent).toEqual(['eval', 'eval', 'eval']);
    expect((await entries('split')).map(([, f]) => f[1])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('stores any string value as a plain XADD of it does (quotes, NUL, non-BMP, a lone surrogate or its text)', async () => {
    const values = ['"quoted" \\ back', 'nul\u0000byte', 'émoji 😀 ไทย', 'lone \ud800 surrogate', 'text \\ud800 not one', '', 'line\nbreak\ttab'];
    const appender = new StreamAppender(prefixed, { key: 'values', maxLen: 1_000, maxBatch: 200 });
    await Promise.all(values.map((v) => appender.append(['v', v])));
    for (const v of values) await prefixed.xadd('values-plain', '*', 'v', v);
    const viaScript = await plain.xrangeBuffer(`${t.redisPrefix}plugin:webhooks:values`, '-', '+');
    const viaXadd = await plain.xrangeBuffer(`${t.redisPrefix}plugin:webhooks:values-plain`, '-', '+');
    expect(viaScript.map(([, f]) => f.map((b) => b.toString('hex')))).toEqual(viaXadd.map(([, f]) => f.map((b) => b.toString('hex'))));
  });

  it('keeps the stream near maxLen (MAXLEN ~)', async () => {
    const appender = new StreamAppender(prefixed, { key: 'bounded', maxLen: 10, maxBatch: 50 });
    for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => appender.append(['n', `${round}-${i}`])));
    const len = await plain.xlen(`${t.redisPrefix}plugin:webhooks:bounded`);
    // Trimmed in whole radix-tree nodes (100 entries by default): far below the 500 appended, never below the bound.
    expect(len).toBeGreaterThanOrEqual(10);
    expect(len).toBeLessThan(200);
  });

  it('rejects every caller of a failed call; the next turn appends again', async () => {
    await prefixed.set('wrong-type', 'a string, not a stream');
    const appender = new StreamAppender(prefixed, { key: 'wrong-type', maxLen: 1_000, maxBatch: 200 });
    const results = await Promise.allSettled([appender.append(['a', '1']), appender.append(['a', '2'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    await prefixed.del('wrong-type');
    await appender.append(['a', '3']);
    expect((await entries('wrong-type')).map(([, f]) => f)).toEqual([['a', '3']]);
  });

  it('refuses a maxBatch below 1', () => {
    expect(() => new StreamAppender(prefixed, { key: 'x', maxLen: 10, maxBatch: 0 })).toThrow(/maxBatch must be at least 1 \(got 0\)/);
  });
});

describe('POST /webhooks/:platform when Redis refuses the append', () => {
  it('answers 500 append_failed (the platform retries) and counts it', async () => {
    const api = await startWebhookApi('wh_append_fail');
    try {
      await api.c.redis.set(api.streamKey, 'not a stream');
      const body = orderPushBody('tiktok', { shopId: '7001', orderId: 'o-fail', status: 'AWAITING_SHIPMENT', updateTime: Math.floor(Date.now() / 1000) });
      const res = await api.app.inject({ method: 'POST', url: '/webhooks/tiktok', payload: body, headers: { 'content-type': 'application/json', authorization: signPush('tiktok', body) } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ statusCode: 500, code: 'SLUICE_INTERNAL', message: 'internal error' });
      const metrics = await api.app.inject({ method: 'GET', url: '/metrics', headers: asAdmin });
      expect(metrics.body).toMatch(/sluice_webhooks_requests_total\{platform="tiktok",reason="append_failed"\} 1/);
    } finally {
      await api.close();
    }
  });
});
