/**
 * POST /webhooks/:platform through the real API: the signature matrix per platform (senders sign as the platforms
 * do), body checks, the idempotency key, the outcome counters in /metrics and the backlog check in /ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { asAdmin } from '../../api/api-harness';
import { eventually } from '../../support/isolation';
import { orderPushBody, signPush, SECRETS, type Platform } from './senders';
import { startWebhookApi, type WebhookApi } from './webhook-api';

let w: WebhookApi;
let n = 0;

beforeAll(async () => {
  w = await startWebhookApi('wh_intake', { WEBHOOK_STREAM_MAXLEN: '40', WEBHOOK_MAX_BODY_BYTES: '2048' });
});
afterAll(async () => {
  await w?.close();
});

const xlen = () => w.c.redis.xlen(w.streamKey);
const post = (platform: string, body: string, headers: Record<string, string>) =>
  w.app.inject({ method: 'POST', url: `/webhooks/${platform}`, payload: body, headers: { 'content-type': 'application/json', ...headers } });
const freshBody = (platform: Platform, over: Partial<Parameters<typeof orderPushBody>[1]> = {}) =>
  orderPushBody(platform, { shopId: '7001', orderId: `o-${++n}`, status: 'AWAITING_SHIPMENT', updateTime: Math.floor(Date.now() / 1000) - 5, ...over });
const flip = (s: string) => {
  const i = s.indexOf('AWAITING');
  return s.slice(0, i) + 'B' + s.slice(i + 1);
};

async function refusedWithoutAppend(platform: Platform, body: string, headers: Record<string, string>, status: number, code: string, message: RegExp) {
  const before = await xlen();
  const res = await post(platform, body, headers);
  expect(res.statusCode).toBe(status);
  expect(res.json()).toMatchObject({ statusCode: status, code, message: expect.stringMatching(message) });
  expect(await xlen()).toBe(before);
  return res;
}

describe.each(['tiktok', 'shopee', 'lazada'] as const)('%s pushes', (platform) => {
  it('a validly signed push → 200 with an empty body, and one entry appended with its fields and idempotency key', async () => {
    const before = await xlen();
    const body = freshBody(platform);
    const res = await post(platform, body, { authorization: signPush(platform, body) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(await xlen()).toBe(before + 1);
    const [[, fields]] = (await w.c.redis.xrevrange(w.streamKey, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    const f = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]));
    expect(f).toMatchObject({ platform, shop: '7001', entity: 'orders', id: `o-${n}`, status: 'AWAITING_SHIPMENT' });
    expect(f.key).toMatch(platform === 'tiktok' ? /^tiktok:n:n-o-/ : new RegExp(`^${platform}:h:[0-9a-f]{32}$`));
    // The same push again (a platform retry) carries the same key: the consumer acks it without work.
    await post(platform, body, { authorization: signPush(platform, body) });
    const last = (await w.c.redis.xrevrange(w.streamKey, '+', '-', 'COUNT', 2)) as Array<[string, string[]]>;
    expect(last[0][1][1]).toBe(last[1][1][1]);
  });

  it('wrong secret, one body byte changed, missing or malformed header → 401, nothing appended', async () => {
    const body = freshBody(platform);
    const wrong = JSON.parse(JSON.stringify(SECRETS));
    if (platform === 'shopee') wrong.shopee.partnerKey = 'not-the-key';
    else wrong[platform].appSecret = 'not-the-secret';
    await refusedWithoutAppend(platform, body, { authorization: signPush(platform, body, wrong) }, 401, 'SLUICE_UNAUTHORIZED', /signature does not match/);
    await refusedWithoutAppend(platform, flip(body), { authorization: signPush(platform, body) }, 401, 'SLUICE_UNAUTHORIZED', /signature does not match/);
    await refusedWithoutAppend(platform, body, {}, 401, 'SLUICE_UNAUTHORIZED', /authorization header .* is required/);
    await refusedWithoutAppend(platform, body, { authorization: 'zz' + signPush(platform, body).slice(2) }, 401, 'SLUICE_UNAUTHORIZED', /signature does not match/);
  });

  it('a timestamp outside WEBHOOK_MAX_SKEW_S (past or future) → 401, nothing appended', async () => {
    for (const ts of [Math.floor(Date.now() / 1000) - 301, Math.floor(Date.now() / 1000) + 301]) {
      const body = freshBody(platform, { timestamp: ts });
      await refusedWithoutAppend(platform, body, { authorization: signPush(platform, body) }, 401, 'SLUICE_UNAUTHORIZED', /timestamp is more than 300 s from now/);
    }
  });

  it('wrong content type, invalid JSON or a missing key → 400, nothing appended; oversize → 413', async () => {
    const body = freshBody(platform);
    const before = await xlen();
    const res = await w.app.inject({ method: 'POST', url: `/webhooks/${platform}`, payload: body, headers: { 'content-type': 'text/plain', authorization: signPush(platform, body) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SLUICE_BAD_REQUEST', message: 'content-type must be application/json' });
    const broken = body.slice(0, -1);
    await refusedWithoutAppend(platform, broken, { authorization: signPush(platform, broken) }, 400, 'SLUICE_MALFORMED_BODY', /not a JSON object/);
    const noShop = JSON.stringify({ ...JSON.parse(body), shop_id: undefined, seller_id: undefined });
    const r = await refusedWithoutAppend(platform, noShop, { authorization: signPush(platform, noShop) }, 400, 'SLUICE_VALIDATION', /is required/);
    expect(r.json().message).toMatch(/body\.(shop_id|seller_id) is required/);
    const big = JSON.stringify({ ...JSON.parse(body), pad: 'x'.repeat(3000) });
    const tooBig = await post(platform, big, { authorization: signPush(platform, big) });
    expect(tooBig.statusCode).toBe(413);
    expect(await xlen()).toBe(before);
  });
});

describe('intake operations', () => {
  it('counts each outcome by platform and reason in /metrics', async () => {
    const text = (await w.app.inject({ method: 'GET', url: '/metrics', headers: asAdmin })).body;
    for (const platform of ['tiktok', 'shopee', 'lazada']) {
      for (const reason of ['accepted', 'bad_signature', 'missing_signature', 'stale_timestamp', 'malformed_json', 'bad_content_type', 'missing_field', 'too_large']) {
        expect(text, `${platform} ${reason}`).toMatch(new RegExp(`sluice_webhooks_requests_total\\{platform="${platform}",reason="${reason}"\\} [1-9]`));
      }
    }
    expect(text).toMatch(/sluice_webhooks_requests_total\{platform="tiktok",reason="accepted"\} 2\b/);
  });

  it('/ready warns once the backlog passes 80 % of the stream bound, and the API logs it once', async () => {
    const ready = async () => (await w.app.inject({ method: 'GET', url: '/ready' })).json() as { status: string; checks: Record<string, { ok: boolean; warning?: string }> };
    expect((await ready()).checks['plugin:webhooks:backlog']).toMatchObject({ ok: true });
    expect((await ready()).checks['plugin:webhooks:backlog'].warning).toBeUndefined();
    while ((await xlen()) < 33) {
      const body = freshBody('tiktok');
      expect((await post('tiktok', body, { authorization: signPush('tiktok', body) })).statusCode).toBe(200);
    }
    const r = await ready();
    expect(r.status).toBe('ready');
    expect(r.checks['plugin:webhooks:backlog']).toMatchObject({ ok: true, warning: expect.stringMatching(/backlog \d+ is over 80 % of the stream bound 40/) });
    await ready();
    const logged = async () => (await w.c.core.pool.query<RowDataPacket[]>("SELECT message FROM execution_logs WHERE message LIKE 'webhook backlog%passed%'"))[0];
    await eventually(async () => (await logged()).length > 0, { what: 'the backlog warning logged' });
    await ready();
    // Lines are written in order: once a marker logged after more checks is stored, a second warning would be too.
    w.c.logger.info('webhook-test-marker');
    await eventually(async () => (await w.c.core.pool.query<RowDataPacket[]>("SELECT 1 FROM execution_logs WHERE message = 'webhook-test-marker'"))[0].length > 0, { what: 'the marker stored' });
    expect(await logged()).toHaveLength(1);
    const status = await w.app.inject({ method: 'GET', url: '/plugins/webhooks/status', headers: asAdmin });
    expect(status.json()).toMatchObject({ maxLen: 40, length: await xlen(), backlog: await xlen() });
    expect((await w.app.inject({ method: 'GET', url: '/plugins/webhooks/status' })).statusCode).toBe(401);
  });
});

describe('intake rate limit', () => {
  it('is off by default (platforms push from few addresses); WEBHOOK_RATE_LIMIT_MAX puts a per-address limit back', async () => {
    for (const [env, expected] of [[{ PUBLIC_RATE_LIMIT_MAX: '3' }, [200, 200, 200, 200, 200]], [{ PUBLIC_RATE_LIMIT_MAX: '1000', WEBHOOK_RATE_LIMIT_MAX: '3' }, [200, 200, 200, 429, 429]]] as const) {
      const api = await startWebhookApi('wh_rate', env);
      try {
        const codes: number[] = [];
        for (let i = 0; i < 5; i++) {
          const body = orderPushBody('lazada', { shopId: '7001', orderId: `r-${i}`, status: 'PENDING', updateTime: Math.floor(Date.now() / 1000) });
          codes.push((await api.app.inject({ method: 'POST', url: '/webhooks/lazada', payload: body, headers: { 'content-type': 'application/json', authorization: signPush('lazada', body) } })).statusCode);
        }
        expect(codes).toEqual(expected);
        expect(await api.c.redis.xlen(api.streamKey)).toBe(expected.filter((c) => c === 200).length);
      } finally {
        await api.close();
      }
    }
  });
});
