/**
 * Issue 11 item 5: one redaction and one cap everywhere a value is stored or shown. A worker returns secrets under
 * secret-looking keys at several depths, logs a configured secret's value by mistake, publishes it and fails with
 * it in the error; another returns 2 MB. Neither the secrets nor the 2 MB appear in /workers, /executions, the
 * Redis live hash, Bull's job hash, /ws events, /metrics or execution_logs; the big result is a marker everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { asAdmin, connectWs, startApiWithWorker, type ApiHarness, type WsClient } from '../api/api-harness';
import type { Harness } from '../support/harness';
import { redisDump } from '../support/store-dump';

const PASSWORD = 'pw-canary-1a2b3c4d';
const TOKEN = 'tok-canary-5e6f7a8b';
const API_KEY = 'key-canary-9c0d1e2f';
const SECRET = 'sec-canary-3a4b5c6d';
const CONFIGURED = 'cfg-canary-7e8f9a0b';
const CANARIES = [PASSWORD, TOKEN, API_KEY, SECRET, CONFIGURED];
const BIG = 2 * 1024 * 1024;

@Schedule({ id: 'leaky' })
class LeakyWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    const partnerKey = ctx.config.get<string>('PARTNER_API_KEY');
    // A careless author: the configured secret in a message, under an innocent key, in an event and in progress.
    ctx.log.info(`calling partner with ${partnerKey}`, { header: `Bearer ${partnerKey}` });
    ctx.publish('partner.called', { note: `used ${partnerKey}`, token: TOKEN });
    await ctx.progress({ done: 1, total: 2 });
    return { password: PASSWORD, token: TOKEN, nested: { API_KEY }, list: [{ secret: SECRET }], echoed: partnerKey, ok: true };
  }
}

@Schedule({ id: 'leaky-fail' })
class LeakyFailWorker extends ScheduleWorker {
  run(ctx: RunContext): never {
    throw new Error(`partner refused key ${ctx.config.get<string>('PARTNER_API_KEY')}`);
  }
}

@Schedule({ id: 'huge' })
class HugeWorker extends ScheduleWorker {
  run() {
    return { rows: 'x'.repeat(BIG) };
  }
}

let api: ApiHarness & { h: Harness };
let ws: WsClient;

beforeAll(async () => {
  api = await startApiWithWorker('redaction', [LeakyWorker, LeakyFailWorker, HugeWorker], { PARTNER_API_KEY: CONFIGURED });
  ws = await connectWs(await api.listen());
});
afterAll(async () => {
  ws?.close();
  await api?.close();
});

async function trigger(id: string, status: string): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: `/workers/${id}/trigger`, headers: asAdmin, payload: {} });
  expect(res.statusCode).toBe(202);
  const { executionId } = res.json() as { executionId: string };
  await api.h.executionIn(executionId, [status]);
  await ws.next((e) => e.type === 'execution.finished' && (e.data as { executionId?: string }).executionId === executionId);
  return executionId;
}

const get = async (url: string) => api.app.inject({ method: 'GET', url, headers: asAdmin });

describe('redaction and caps', () => {
  it('secrets under secret-looking keys and known secret values appear in clear nowhere', async () => {
    const ok = await trigger('leaky', 'succeeded');
    const failed = await trigger('leaky-fail', 'failed');
    await api.container.logWriter.drain();
    await api.container.recorder.drain();

    const responses: Record<string, string> = {};
    for (const url of ['/workers', '/workers/leaky', '/workers/leaky-fail', `/executions/${ok}`, `/executions/${failed}`, '/workers/leaky/executions',
      `/executions/${ok}/logs`, `/executions/${failed}/logs`, '/logs', '/metrics']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      responses[url] = res.body;
    }
    const [logs] = await api.h.pool.query<RowDataPacket[]>('SELECT message, meta FROM execution_logs');
    const [rows] = await api.h.pool.query<RowDataPacket[]>('SELECT * FROM executions');
    const [status] = await api.h.pool.query<RowDataPacket[]>('SELECT * FROM worker_status');
    const redis = await redisDump(api.container.redis, api.testEnv.redisPrefix, { streams: false });
    const liveHash = redis[api.container.keys.state('leaky')];
    const job = await api.container.queues.get('leaky').getJob((await api.h.execution(ok))!.job_id);
    const failedJob = await api.container.queues.get('leaky-fail').getJob((await api.h.execution(failed))!.job_id);

    // The dumps are real: the run's values are there, masked.
    expect(JSON.parse(responses[`/executions/${ok}`]).result).toEqual({ password: '***', token: '***', nested: { API_KEY: '***' }, list: [{ secret: '***' }], echoed: '***', ok: true });
    expect(JSON.parse(JSON.parse(liveHash).last_result)).toMatchObject({ password: '***', nested: { API_KEY: '***' }, ok: true });
    expect(job!.returnvalue).toMatchObject({ token: '***', list: [{ secret: '***' }] });
    expect(JSON.parse(responses[`/executions/${failed}`]).error).toBe('partner refused key ***');
    expect(failedJob!.failedReason).toBe('partner refused key ***');
    expect(logs.map((l) => l.message)).toContain('calling partner with ***');
    const wsText = JSON.stringify(ws.events);
    expect(wsText).toContain('"note":"used ***"');

    const haystacks: Record<string, string> = {
      ...responses, logs: JSON.stringify(logs), executions: JSON.stringify(rows), worker_status: JSON.stringify(status),
      redis: JSON.stringify(redis), bullJob: JSON.stringify(job!.toJSON()), bullFailedJob: JSON.stringify(failedJob!.toJSON()), ws: wsText,
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const canary of CANARIES) expect(text.includes(canary), `${canary} in ${where}`).toBe(false);
    }
  });

  it('a 2 MB result is replaced by a marker in the row, the live hash, the worker status, Bull and every response', async () => {
    const id = await trigger('huge', 'succeeded');
    await api.container.recorder.drain();
    const marker = { $capped: { bytes: BIG + '{"rows":""}'.length, limitBytes: 32_768, setting: 'VALUE_MAX_BYTES' }, preview: expect.stringMatching(/^\{"rows":"x+$/) };

    const exec = await get(`/executions/${id}`);
    expect(exec.json().result).toEqual(marker);
    const worker = await get('/workers/huge');
    expect(worker.body.length).toBeLessThan(20_000);
    expect(worker.json().lastExecution.result).toEqual(marker);
    expect(JSON.parse(worker.json().live.last_result)).toEqual(marker);
    const list = await get('/workers');
    expect(list.body.length).toBeLessThan(50_000);
    const job = await api.container.queues.get('huge').getJob((await api.h.execution(id))!.job_id);
    expect(job!.returnvalue).toEqual(marker);
    const [status] = await api.h.pool.query<RowDataPacket[]>("SELECT last_result FROM worker_status WHERE worker_id = 'huge'");
    expect(typeof status[0].last_result === 'string' ? JSON.parse(status[0].last_result) : status[0].last_result).toEqual(marker);
    const redis = await redisDump(api.container.redis, api.testEnv.redisPrefix, { streams: false });
    for (const [key, text] of Object.entries(redis)) expect(text.length, key).toBeLessThan(100_000);
  });
});
