/**
 * The platforms' push secrets (canaries) verify pushes but appear in no log line, MySQL row, Redis key or value,
 * MongoDB document or API response — whatever the pushes do (accepted, refused, applied, failed). The same holds
 * for what the detail path signs with: the platforms' API secrets and the shop's tokens (through a token refresh),
 * which live only in the marketplace shops store's credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { LAZADA_APP, SHOPEE_APP, TIKTOK_APP } from '../../fakes/marketplaces';
import { asAdmin } from '../../api/api-harness';
import { eventually } from '../../support/isolation';
import { orderPushBody, SECRETS, signPush } from './senders';
import { groupInfo } from './pushes';
import { startWebhookWorld, type WebhookWorld } from './webhook-world';

const CANARIES = [SECRETS.tiktok.appSecret, SECRETS.shopee.partnerKey, SECRETS.lazada.appSecret, TIKTOK_APP.appSecret, SHOPEE_APP.partnerKey, LAZADA_APP.appSecret];
const SHOP = { shopId: '7301', ordersPerDay: 3, from: '2024-03-01', to: '2024-03-01' };
let w: WebhookWorld;

beforeAll(async () => {
  // The shop is in every fake, but only its TikTok one is in the shops store: Shopee's and Lazada's pushes fail.
  w = await startWebhookWorld('wh_secrets', { tiktok: [SHOP], shopee: [SHOP], lazada: [SHOP] }, {
    unstored: ['shopee:7301', 'lazada:7301'], env: { WEBHOOK_CLAIM_IDLE_MS: '1000', WEBHOOK_MAX_DELIVERIES: '2', WEBHOOK_DETAIL_WAIT_MS: '50' },
  });
});
afterAll(async () => {
  await w?.close();
});

async function redisDump(prefix: string): Promise<string> {
  const redis = w.c.redis;
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      out.push(key);
      const type = await redis.type(key);
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return out.join('\n');
}

describe('webhook secrets', () => {
  it('appear in no log, row, Redis key, MongoDB document or response', async () => {
    const responses: string[] = [];
    const send = async (platform: 'tiktok' | 'shopee' | 'lazada', body: string, headers: Record<string, string>) => {
      const res = await w.app.inject({ method: 'POST', url: `/webhooks/${platform}`, payload: body, headers: { 'content-type': 'application/json', ...headers } });
      responses.push(JSON.stringify(res.headers), res.body);
      return res.statusCode;
    };
    const order = w.fake.shop('7301').data.orders[0];
    const now = Math.floor(Date.now() / 1000);
    // The stored access token has expired: the detail call refreshes it (the new pair is saved in the store).
    w.fake.expireToken('7301');
    for (const platform of ['tiktok', 'shopee', 'lazada'] as const) {
      const body = orderPushBody(platform, { shopId: '7301', orderId: order.id, status: 'IN_TRANSIT', updateTime: now });
      expect(await send(platform, body, { authorization: signPush(platform, body) })).toBe(200);
      expect(await send(platform, `${body} `, { authorization: signPush(platform, body) })).toBe(401);
      expect(await send(platform, body, {})).toBe(401);
      expect(await send(platform, '{', { authorization: signPush(platform, '{') })).toBe(400);
    }
    // TikTok's order is fetched and stored; Shopee's and Lazada's shop is not in the store: they fail and are dead-lettered.
    await eventually(async () => {
      const g = await groupInfo(w.c.redis, w.streamKey);
      return g.pending === 0 && g.lag === 0 && (await w.c.redis.xlen(`${w.streamKey}:dead`)) === 2;
    }, { what: 'pushes applied or dead-lettered', timeoutMs: 15_000 });
    expect(await w.db.collection('orders').countDocuments({ order_id: order.id, status: 'IN_TRANSIT' })).toBe(1);
    expect(w.fake.shop('7301').refreshes).toBe(1);
    await w.c.logWriter.drain();
    await w.c.recorder.drain();
    for (const url of ['/workers', '/workers/webhook-events', '/workers/webhook-events/config', '/configs', '/metrics', '/logs', '/streams/webhook-events/dead']) {
      responses.push((await w.app.inject({ method: 'GET', url, headers: asAdmin })).body);
    }
    responses.push((await w.app.inject({ method: 'GET', url: '/ready' })).body);
    const rows: string[] = [];
    for (const table of ['executions', 'execution_logs', 'worker_status', 'worker_configs', 'workers']) {
      rows.push(JSON.stringify((await w.c.core.pool.query<RowDataPacket[]>(`SELECT * FROM ${table}`))[0]));
    }
    // Tokens belong in the shops store's credentials only: everything else of MongoDB is searched for them too.
    const mongo = JSON.stringify(await Promise.all((await w.db.listCollections().toArray()).map((c) => w.db.collection(c.name).find({}, c.name === 'marketplace_shops' ? { projection: { credentials: 0 } } : {}).toArray())));
    const s = w.fake.shop('7301');
    const tokens = [s.accessToken, s.refreshToken, ...s.expired];
    const haystacks = { responses: responses.join('\n'), mysql: rows.join('\n'), redis: await redisDump(w.t.redisPrefix), mongo };
    expect(haystacks.mysql).toContain('webhook'); // the dump is real: the dead-lettering was logged
    expect(haystacks.redis).toContain('IN_TRANSIT');
    expect(haystacks.mongo).toContain(order.id);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const canary of [...CANARIES, ...tokens]) expect(text.includes(canary), `${canary} found in ${where}`).toBe(false);
    }
  }, 40_000);

  it('dead-lettered pushes are listed and replayed through the core stream routes, then applied', async () => {
    const dead = (await w.app.inject({ method: 'GET', url: '/streams/webhook-events/dead', headers: asAdmin })).json() as { items: Array<{ fields: Record<string, string>; error: string }> };
    expect(dead.items.map((i) => i.fields.platform).sort()).toEqual(['lazada', 'shopee']);
    for (const item of dead.items) expect(item.error).toContain(`${item.fields.platform} shop 7301 is not in the marketplace shops store: add it with its tokens (POST /plugins/marketplace/shops {"platform":"${item.fields.platform}","shopId":"7301",`);
    // The cause fixed (the shop stored for both platforms), a replay fetches the orders from the fakes and applies them.
    const order = w.fake.shop('7301').data.orders[0];
    await w.storeShop('shopee', '7301');
    await w.storeShop('lazada', '7301');
    const res = await w.app.inject({ method: 'POST', url: '/streams/webhook-events/dead/replay', headers: asAdmin, payload: { all: true } });
    expect(res.json()).toMatchObject({ replayed: 2 });
    await eventually(async () => (await w.db.collection('orders').countDocuments({ order_id: order.id, status: 'IN_TRANSIT' })) === 3, { what: 'the replayed pushes applied' });
    const docs = await w.db.collection('orders').find({ order_id: order.id }).toArray();
    expect(docs.map((d) => d.platform).sort()).toEqual(['lazada', 'shopee', 'tiktok']);
    for (const d of docs) expect(d).toMatchObject({ items: expect.any(Array), details_fetched_at: expect.stringMatching(/^\d{4}-/) });
    expect(w.detailCalls('shopee', '7301')).toBe(1);
    expect(w.detailCalls('lazada', '7301')).toBe(1);
    expect(w.fakes.lazada.shopRequests('7301', '/order/get')).toBe(1);
  });
});
