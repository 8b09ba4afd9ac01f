/**
 * SPEC §11: a canary secret planted in config is found nowhere after a full run — not in logs, execution rows,
 * worker status, job payloads or any other Redis key, nor in API responses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { asAdmin, startApiWithWorker, type ApiHarness } from '../api/api-harness';
import type { Harness } from '../support/harness';
import { redisDump } from '../support/store-dump';

const CANARY = 'canary-7f3e9b1c5d2a';
const TOKEN_CANARY = 'canary-token-4b8d2e6f1a9c';
let seenAuthorization = '';

@Schedule({ id: 'partner-sync' })
class PartnerSyncWorker extends ScheduleWorker<{ shop: string }> {
  async run(ctx: RunContext<{ shop: string }>) {
    const secret = ctx.config.get<string>('PARTNER_SECRET');
    const res = await fetch(ctx.config.get<string>('PARTNER_URL'), { headers: { authorization: `Bearer ${secret}` } });
    // A careless author logs the secret under a secret-looking key and throws an error mentioning a token key.
    ctx.log.info('called partner', { shop: ctx.params.shop, partner_secret: secret, accessToken: secret, status: res.status });
    return { shop: ctx.params.shop, status: res.status };
  }
}

let partner: http.Server;
let api: ApiHarness & { h: Harness };

beforeAll(async () => {
  partner = http.createServer((req, res) => {
    seenAuthorization = req.headers.authorization ?? '';
    res.end('ok');
  });
  await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
  api = await startApiWithWorker('secrets', [PartnerSyncWorker], {
    PARTNER_URL: `http://127.0.0.1:${(partner.address() as AddressInfo).port}/orders`,
    SHOP_ACCESS_TOKEN: TOKEN_CANARY,
  });
});
afterAll(async () => {
  await api?.close();
  await new Promise((r) => partner.close(r));
});

describe('secrets', () => {
  it('a canary secret in config reaches the upstream but no log, row, Redis key or API response', async () => {
    const put = await api.app.inject({ method: 'PUT', url: '/configs/PARTNER_SECRET', headers: asAdmin, payload: { value: CANARY } });
    expect(put.statusCode).toBeLessThan(300);
    const trig = await api.app.inject({ method: 'POST', url: '/workers/partner-sync/trigger', headers: asAdmin, payload: { params: { shop: 's-1' } } });
    expect(trig.statusCode).toBe(202);
    const { executionId } = trig.json() as { executionId: string };
    await api.h.executionIn(executionId, ['succeeded']);
    expect(seenAuthorization).toBe(`Bearer ${CANARY}`); // the worker really used it
    await api.container.logWriter.drain();
    await api.container.recorder.drain();

    const responses = await Promise.all([
      '/workers', '/workers/partner-sync', '/workers/partner-sync/config', `/executions/${executionId}`,
      `/executions/${executionId}/logs`, '/logs?worker=partner-sync', '/configs/PARTNER_SECRET', '/metrics', '/queues',
    ].map(async (url) => (await api.app.inject({ method: 'GET', url, headers: asAdmin })).body));
    const dump: string[] = [];
    for (const table of ['executions', 'execution_logs', 'worker_status', 'worker_configs', 'workers']) {
      const [rows] = await api.h.pool.query<RowDataPacket[]>(`SELECT * FROM ${table}`);
      dump.push(JSON.stringify(rows));
    }
    const configRow = dump[3];
    expect(configRow).toContain(CANARY); // stored where it belongs: the config table itself
    dump.splice(3, 1);
    const redis = await redisDump(api.container.redis, api.testEnv.redisPrefix, { streams: false });
    const haystacks = { api: responses.join('\n'), mysql: dump.join('\n'), redis: Object.values(redis).join('\n') };
    expect(haystacks.mysql).toContain('called partner'); // the dump is real
    expect(haystacks.mysql).toContain('"partner_secret":"***"');
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text.includes(CANARY), `canary found in ${where}`).toBe(false);
      expect(text.includes(TOKEN_CANARY), `token canary found in ${where}`).toBe(false);
    }
  });
});
