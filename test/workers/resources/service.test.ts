/** Versions and cache against real MySQL and Redis: single-flight loads, refresh without change, bump on change. */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineResource, type ResourceDefinition } from '../../../workers/resources/resource';
import staff from '../../../workers/resources/staff.resource';
import { checkRows } from '../../../workers/resources/payload';
import { spawnTs } from '../../support/child';
import { versionStore } from '../../../workers/resources/runtime';
import { startResources, type ResourcesFixture } from './resources-fixture';

let fx: ResourcesFixture;

beforeAll(async () => {
  fx = await startResources('svc');
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

/** A resource over the staff table whose loader counts its runs and takes a while, so misses pile up. */
function countedStaff(name: string): { def: ResourceDefinition; runs: () => number } {
  let runs = 0;
  const def = defineResource({
    name, description: 'counted staff', idField: 'id',
    async load(ctx) {
      runs += 1;
      await new Promise((r) => setTimeout(r, 150));
      return staff.load(ctx);
    },
  });
  return { def, runs: () => runs };
}

describe('resource versions and cache', () => {
  it('100 concurrent requests on a cold cache, spread over two services in one process, run the loader once', async () => {
    const { def, runs } = countedStaff('staff-cold');
    const a = fx.service([def]);
    const b = fx.service([def]);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).dataset('staff-cold')));
    expect(runs()).toBe(1);
    expect(new Set(results.map((r) => r.row.version))).toEqual(new Set([1]));
    const rows = JSON.parse(gunzipSync(results[0]!.body).toString('utf8')) as Array<{ id: number; fullName: string }>;
    expect(rows).toHaveLength(5_000);
    expect(rows[0]).toMatchObject({ id: 1, code: 'NV00001' });
    // A third process starts with Redis warm: no load at all.
    await fx.service([def]).dataset('staff-cold');
    expect(runs()).toBe(1);
  }, 30_000);

  it('requests that find the version copy expired at the same time share one read of the version table', async () => {
    const { def } = countedStaff('staff-reread');
    const store = versionStore();
    const read = store.get.bind(store);
    let reads = 0;
    store.get = (name) => {
      reads += 1;
      return read(name);
    };
    // A copy trusted for 1 ms only.
    const svc = fx.service([def], { store, settings: { RESOURCES_VERSION_CACHE_MS: 1 } });
    const expired = async (): Promise<void> => {
      while (svc.trusted('staff-reread')) await new Promise((r) => setImmediate(r));
    };
    const first = await svc.current('staff-reread');
    await expired();
    reads = 0;
    const rows = await Promise.all(Array.from({ length: 100 }, () => svc.current('staff-reread')));
    expect(reads).toBe(1);
    expect(new Set(rows.map((r) => r.version))).toEqual(new Set([first.version]));
    // Each new expiry reads again: the copy is not kept past its time.
    await expired();
    await svc.current('staff-reread');
    expect(reads).toBe(2);
  }, 30_000);

  it('100 cold requests from two real processes run the loader once (the Redis lock)', async () => {
    const env = { ...fx.h.testEnv.env, RESOURCES_DB_URL: fx.dbUrl, CHILD_PREFIX: fx.redisPrefix };
    const kids = [spawnTs('test/workers/resources/cold-load.child.ts', env), spawnTs('test/workers/resources/cold-load.child.ts', env)];
    try {
      await Promise.all(kids.map((k) => k.waitForLine(/^ready$/)));
      await fx.raw.publish(`${fx.redisPrefix}go`, '1');
      const outs = (await Promise.all(kids.map((k) => k.waitForLine(/^\{/)))).map((l) => JSON.parse(l) as { versions: number[]; bytes: number[] });
      expect(await fx.raw.get(`${fx.redisPrefix}loader-runs`)).toBe('1');
      expect(outs.map((o) => o.versions)).toEqual([[1], [1]]);
      expect(outs[0]!.bytes).toEqual(outs[1]!.bytes);
      for (const k of kids) expect((await k.exited).code).toBe(0);
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
  }, 60_000);

  it('a refresh with unchanged content keeps the version; a change bumps it, drops the old cache and announces it', async () => {
    const svc = fx.service([staff]);
    const first = await svc.dataset('staff');
    const v = first.row.version;
    // The first load announced version 1: wait for it, then count what follows.
    await fx.h.waitForEvent((e) => e.type === 'resource.version' && (e.data as { name?: string }).name === 'staff', 5_000);
    const seen = fx.h.events.length;
    const same = await svc.refresh('staff', 'test');
    expect(same).toMatchObject({ changed: false, row: { version: v, hash: first.row.hash } });
    expect(fx.h.events.slice(seen).filter((e) => e.type === 'resource.version')).toEqual([]);
    expect(await fx.raw.exists(`${fx.redisPrefix}data:staff:${v}`)).toBe(1);

    await fx.pool.query("UPDATE staff SET full_name = 'Trần Văn Đổi' WHERE id = 42");
    const t0 = Date.now();
    const changed = await svc.refresh('staff', 'token:ops');
    expect(changed).toMatchObject({ changed: true, row: { version: v + 1, bumpedBy: 'token:ops', rows: 5_000 } });
    const event = await fx.h.waitForEvent((e) => e.type === 'resource.version' && (e.data as { version?: number }).version === v + 1, 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(event.data).toMatchObject({ name: 'staff', version: v + 1 });
    expect(await fx.raw.exists(`${fx.redisPrefix}data:staff:${v}`)).toBe(0);
    const [rows] = (await fx.pool.query('SELECT version, bumped_by FROM resource_versions WHERE name = ?', ['staff'])) as unknown as [Array<{ version: number; bumped_by: string }>];
    expect(rows[0]).toEqual({ version: v + 1, bumped_by: 'token:ops' });
    // Another process that still holds the old version row in memory gets the new data once its copy is re-read.
    const other = fx.service([staff]);
    const now = await other.dataset('staff');
    expect(now.row.version).toBe(v + 1);
    const row42 = (JSON.parse(gunzipSync(now.body).toString('utf8')) as Array<{ id: number; fullName: string }>).find((r) => r.id === 42);
    expect(row42?.fullName).toBe('Trần Văn Đổi');
  }, 30_000);

  it('bump moves the version even when nothing changed', async () => {
    const svc = fx.service([staff]);
    const before = await svc.current('staff');
    const out = await svc.bump('staff', 'token:ops');
    expect(out).toMatchObject({ changed: true, row: { version: before.version + 1, hash: before.hash } });
  });

  it('a cache miss that finds content the version does not hold moves the version (the data changed behind it)', async () => {
    const svc = fx.service([staff]);
    const before = await svc.current('staff');
    await fx.raw.del(`${fx.redisPrefix}data:staff:${before.version}`);
    await fx.pool.query("UPDATE staff SET role = 'manager' WHERE id = 7");
    const fresh = fx.service([staff]);
    const ds = await fresh.dataset('staff');
    expect(ds.row).toMatchObject({ version: before.version + 1, bumpedBy: 'load' });
  });

  it('rejects rows that break the schema or the id rule, naming the row and the field', () => {
    const def = defineResource({ name: 'things', description: 'x', idField: 'id', schema: Type.Object({ id: Type.Integer(), label: Type.String() }), load: async () => [] });
    expect(() => checkRows(def, [{ id: 1, label: 'a' }, { id: 2, label: 3 }], 10)).toThrow(/row 1 field \/label/);
    expect(() => checkRows(def, [{ id: 1, label: 'a' }, { id: 1, label: 'b' }], 10)).toThrow(/row 1 repeats id 1/);
    expect(() => checkRows(def, [{ label: 'a' }], 10)).toThrow(/row 0/);
    expect(() => checkRows(def, [{ id: 1, label: 'a' }, { id: 2, label: 'b' }], 1)).toThrow(/RESOURCES_MAX_ROWS/);
    expect(() => checkRows(def, { rows: [] }, 10)).toThrow(/must return an array/);
  });
});
