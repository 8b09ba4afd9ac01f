/** The resources-refresh task: due schedules, one resource on demand, a bump only on change. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginApis } from '../../../app/core/plugins';
import { onWorkerBoot, onWorkerShutdown } from '../../../workers/resources/hooks';
import { firedSince, ResourcesRefreshWorker } from '../../../workers/resources/refresh.worker';
import { startResources, type ResourcesFixture } from './resources-fixture';

let fx: ResourcesFixture;

beforeAll(async () => {
  fx = await startResources('refresh', {}, {}, [ResourcesRefreshWorker]);
  await onWorkerBoot(pluginApis(fx.h.container).get('resources'));
}, 60_000);

afterAll(async () => {
  await onWorkerShutdown();
  await fx?.close();
});

const versionOf = async (name: string): Promise<number | undefined> => {
  const [rows] = (await fx.pool.query('SELECT version FROM resource_versions WHERE name = ?', [name])) as unknown as [Array<{ version: number }>];
  return rows[0]?.version;
};

/** Runs the task and waits for its end (succeeded runs keep no execution row: history 'failures'). */
async function run(params: Record<string, unknown>): Promise<{ status: string; error?: string | null }> {
  const id = await fx.h.container.dispatcher.enqueue('resources-refresh', params);
  const e = await fx.h.waitForEvent((ev) => ev.type === 'execution.finished' && (ev.data as { executionId?: string }).executionId === id, 20_000);
  return e.data as { status: string; error?: string | null };
}

describe('resources-refresh', () => {
  it('a cron is due when it fired after the last check, in its timezone', () => {
    const since = new Date('2026-12-01T09:59:30Z');
    expect(firedSince('0 * * * *', 'UTC', since, new Date('2026-12-01T10:00:10Z'))).toBe(true);
    expect(firedSince('0 * * * *', 'UTC', since, new Date('2026-12-01T09:59:59Z'))).toBe(false);
    expect(firedSince('0 17 * * *', 'Asia/Ho_Chi_Minh', new Date('2026-12-01T09:59:00Z'), new Date('2026-12-01T10:00:30Z'))).toBe(true);
  });

  it('refreshes one resource on demand: unchanged keeps the version, a change bumps it by "schedule"', async () => {
    expect(await run({ name: 'warehouses' })).toMatchObject({ status: 'succeeded' });
    const v = await versionOf('warehouses');
    expect(v).toBe(1);
    expect(await run({ name: 'warehouses' })).toMatchObject({ status: 'succeeded' });
    expect(await versionOf('warehouses')).toBe(v);
    await fx.pool.query("UPDATE warehouse SET name = 'Kho mới' WHERE id = 2");
    expect(await run({ name: 'warehouses' })).toMatchObject({ status: 'succeeded' });
    const [rows] = (await fx.pool.query('SELECT version, bumped_by FROM resource_versions WHERE name = ?', ['warehouses'])) as unknown as [Array<{ version: number; bumped_by: string }>];
    expect(rows[0]).toEqual({ version: 2, bumped_by: 'schedule' });
  });

  it('an unknown resource fails the run naming it', async () => {
    expect(await run({ name: 'nope' })).toMatchObject({ status: 'failed', error: expect.stringContaining('no resource named "nope"') });
  });

  it('a scheduled run records its first check and refreshes nothing; resources without a schedule are left alone', async () => {
    await fx.raw.del(`${fx.redisPrefix}refresh:checked:stores`, `${fx.redisPrefix}refresh:checked:warehouses`);
    expect(await run({})).toMatchObject({ status: 'succeeded' });
    expect(await fx.raw.exists(`${fx.redisPrefix}refresh:checked:stores`)).toBe(1);
    expect(await fx.raw.exists(`${fx.redisPrefix}refresh:checked:staff`)).toBe(0);
    // Pretend the last check was before the top of an hour: stores (hourly) and warehouses (every 10 min) are due.
    await fx.raw.set(`${fx.redisPrefix}refresh:checked:stores`, new Date(Date.now() - 3_700_000).toISOString());
    await fx.pool.query("UPDATE store SET name = 'Cửa hàng đổi tên' WHERE id = 5");
    const before = (await versionOf('stores')) ?? 0;
    expect(await run({})).toMatchObject({ status: 'succeeded' });
    expect(await versionOf('stores')).toBe(before === 0 ? 1 : before + 1);
  });
});
