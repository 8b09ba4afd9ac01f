import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker } from '../../app';
import { startBeatRole, type BeatRole } from '../../app/core/runtime/beat';
import { eventually } from '../support/isolation';
import { asAdmin, startApiWithWorker, type ApiHarness } from './api-harness';
import type { Harness } from '../support/harness';

@Schedule({ id: 'api-yearly', cron: '0 0 1 1 *', timezone: 'UTC', description: 'fires once a year until changed' })
class YearlyWorker extends ScheduleWorker {
  run() {
    return 'tick';
  }
}

let api: ApiHarness & { h: Harness };
let beat: BeatRole;

beforeAll(async () => {
  api = await startApiWithWorker('schedule', [YearlyWorker]);
  beat = await startBeatRole(api.container, { seed: false });
  await eventually(async () => beat.lease.isLeader, { what: 'beat leadership' });
});

afterAll(async () => {
  await beat?.stop();
  await api?.close();
});

const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  api.app.inject({ method, url, headers: asAdmin, ...(payload === undefined ? {} : { payload: payload as object }) });
const nextFireKey = () => api.container.redis.get(api.container.keys.nextFire('api-yearly'));
const cronStarts = () => api.h.events.filter((e) => e.type === 'execution.started' && (e.data as { trigger: string; workerId: string }).trigger === 'cron' && (e.data as { workerId: string }).workerId === 'api-yearly');

describe('schedules at runtime', () => {
  it('rejects an invalid cron or timezone naming the field, and changes nothing', async () => {
    const before = await nextFireKey();
    const bad = await inject('PUT', '/workers/api-yearly/schedule', { cron: '61 * * * *' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SLUICE_INVALID_CRON', field: 'body/cron' });
    expect(bad.json().message).toMatch(/^cron: /);
    const tz = await inject('PUT', '/workers/api-yearly/schedule', { timezone: 'Mars/Olympus_Mons' });
    expect(tz.json()).toMatchObject({ statusCode: 400, code: 'SLUICE_INVALID_TIMEZONE', field: 'body/timezone' });
    const typed = await inject('PUT', '/workers/api-yearly/schedule', { cron: 5 });
    expect(typed.json()).toMatchObject({ statusCode: 400, field: 'body/cron' });
    expect((await inject('GET', '/workers/api-yearly')).json()).toMatchObject({ cron: '0 0 1 1 *', timezone: 'UTC' });
    expect(await nextFireKey()).toBe(before);
  });

  it('a valid change is honoured by the running beat without restart: a per-second cron fires', async () => {
    const res = await inject('PUT', '/workers/api-yearly/schedule', { cron: '* * * * * *' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cron: '* * * * * *', timezone: 'UTC' });
    expect(Date.parse(res.json().nextFireAt) - Date.now()).toBeLessThanOrEqual(1_000);
    await eventually(async () => {
      const v = await nextFireKey();
      return v && Date.parse(v) - Date.now() <= 1_500;
    }, { timeoutMs: 1_000, intervalMs: 20, what: 'the beat to publish a next fire within a second' });
    await api.h.waitForEvent((e) => e.type === 'execution.finished' && (e.data as { workerId: string; status: string }).workerId === 'api-yearly' && (e.data as { status: string }).status === 'succeeded', 5_000);
    expect(cronStarts().length).toBeGreaterThan(0);
  });

  it('disable and enable take effect in the running beat and worker within a second', async () => {
    const disabled = await inject('POST', '/workers/api-yearly/disable');
    expect(disabled.json()).toMatchObject({ enabled: false, nextFireAt: null });
    const t0 = Date.now();
    await eventually(async () => (await nextFireKey()) === null, { timeoutMs: 1_000, intervalMs: 20, what: 'the beat to unschedule' });
    expect(await api.container.redis.hget(api.container.keys.state('api-yearly'), 'enabled')).toBe('false');
    // A fire enqueued before the disable reached the beat is skipped by the worker.
    const late = await api.container.dispatcher.enqueue('api-yearly', {}, { trigger: 'cron', jobId: `api-yearly:late-${t0}`, at: new Date(t0) });
    const skipped = await api.h.executionIn(late, ['skipped', 'succeeded']);
    expect(skipped).toMatchObject({ status: 'skipped', error: 'worker is disabled' });
    const enabled = await inject('POST', '/workers/api-yearly/enable');
    expect(enabled.json()).toMatchObject({ enabled: true });
    const t1 = Date.now();
    await eventually(async () => (await nextFireKey()) !== null, { timeoutMs: 1_000, intervalMs: 20, what: 'the beat to reschedule' });
    await api.h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { trigger: string }).trigger === 'cron' && Date.parse(e.ts) > t1, 3_000);
  });
});
