import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunSummaries, SyncBuffer } from '../../../plugins/sync-buffer';
import { spawnTs } from '../../support/child';

const CHILD = 'test/plugins/sync-buffer/buffer-child.ts';

async function both(dir: string, mode: string, arg = ''): Promise<string[]> {
  const kids = [spawnTs(CHILD, {}, [mode, dir, arg]), spawnTs(CHILD, {}, [mode, dir, arg])];
  const exits = await Promise.all(kids.map((k) => k.exited));
  for (const [i, e] of exits.entries()) expect(e.code, kids[i].lines.join('\n')).toBe(0);
  return kids.flatMap((k) => k.lines);
}

describe('SyncBuffer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-buffer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps collection, raw records, metadata, error and retry count of a failed batch', async () => {
    const buffer = new SyncBuffer({ dir });
    const id = await buffer.save('orders', [{ id: 'o1', amount: '1.50' }], { shop_id: 's1', kind: 'tiktok_order' }, new TypeError('connection reset'));
    expect(await buffer.pending()).toEqual([id]);
    expect(await buffer.read(id)).toMatchObject({
      id, collection: 'orders', records: [{ id: 'o1', amount: '1.50' }], meta: { shop_id: 's1', kind: 'tiktok_order' },
      error: { name: 'TypeError', message: 'connection reset' }, retries: 0,
    });
  });

  it('replays a batch once and removes it; a failing batch counts retries, then goes to quarantine and is reported', async () => {
    const buffer = new SyncBuffer({ dir, maxRetries: 2 });
    const good = await buffer.save('orders', [{ id: 1 }, { id: 2 }], { ok: true }, new Error('down'));
    const bad = await buffer.save('returns', [{ id: 3 }], { ok: false }, new Error('down'));
    const applied: string[] = [];
    const apply = async (b: { id: string; meta: { ok?: unknown } }) => {
      if (!b.meta.ok) throw new Error('still down');
      applied.push(b.id);
    };
    const first = await buffer.replay(apply);
    expect(first).toMatchObject({ applied: 1, failed: 1, quarantined: [], records: 2 });
    expect(applied).toEqual([good]);
    expect(await buffer.pending()).toEqual([bad]);
    expect(await buffer.read(bad)).toMatchObject({ retries: 1, error: { message: 'still down' } });
    const second = await buffer.replay(apply);
    expect(second.quarantined).toEqual([expect.objectContaining({ id: bad, collection: 'returns', retries: 2, error: 'still down' })]);
    expect(await buffer.pending()).toEqual([]);
    expect(await buffer.quarantined()).toEqual([bad]);
    expect(applied).toEqual([good]);
  });

  it('leaves batches a filter rejects pending', async () => {
    const buffer = new SyncBuffer({ dir });
    await buffer.save('orders', [], { sync: 'a' }, new Error('x'));
    const other = await buffer.save('orders', [], { sync: 'b' }, new Error('x'));
    const report = await buffer.replay(async () => undefined, (b) => b.meta.sync === 'a');
    expect(report.applied).toBe(1);
    expect(await buffer.pending()).toEqual([other]);
  });

  it('a replay waiting for others resolves only once the batch another replay holds has left the buffer', async () => {
    const [a, b] = [new SyncBuffer({ dir }), new SyncBuffer({ dir })];
    await a.save('orders', [{ id: 1 }], {}, new Error('down'));
    let inApply!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((r) => { inApply = r; });
    const held = new Promise<void>((r) => { release = r; });
    const first = a.replay(async () => { inApply(); await held; });
    await entered;
    // Without waiting, the batch in hand is skipped and still on disk when the replay resolves.
    expect(await b.replay(async () => undefined)).toMatchObject({ applied: 0, skipped: 1 });
    expect(await b.pending()).toHaveLength(1);
    let waitedOut = false;
    const second = b.replay(async () => undefined, undefined, { waitForOthers: true }).then((r) => { waitedOut = true; return r; });
    await new Promise((r) => setTimeout(r, 50)); // the waiting replay gets time to resolve early, if it would
    expect(waitedOut).toBe(false);
    release();
    expect(await first).toMatchObject({ applied: 1 });
    expect(await second).toMatchObject({ applied: 0, skipped: 1 });
    expect(await b.pending()).toEqual([]);
  });

  it('exclusive sections of one name take turns across buffers', async () => {
    const [a, b] = [new SyncBuffer({ dir }), new SyncBuffer({ dir })];
    const trace: string[] = [];
    const section = (who: string) => async () => {
      trace.push(`${who} in`);
      await new Promise((r) => setTimeout(r, 20));
      trace.push(`${who} out`);
    };
    await Promise.all([a.exclusive('tally-x', section('a')), b.exclusive('tally-x', section('b'))]);
    expect([trace.slice(0, 2), trace.slice(2)].map((t) => t[0].split(' ')[0] === t[1].split(' ')[0])).toEqual([true, true]);
  });

  it('never collides names when two processes save at once', async () => {
    await both(dir, 'save', '150');
    const ids = await new SyncBuffer({ dir }).pending();
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
  });

  it('two processes replaying one buffer apply each batch once, and the summary counters add up', async () => {
    const buffer = new SyncBuffer({ dir });
    for (let i = 0; i < 60; i++) await buffer.save('orders', [{ i }, { i: i + 1000 }], {}, new Error('down'));
    const lines = await both(dir, 'replay');
    const log = readFileSync(path.join(dir, 'applied.log'), 'utf8').trim().split('\n').map((l) => l.split(' ')[0]);
    expect(log).toHaveLength(60);
    expect(new Set(log).size).toBe(60);
    const reports = lines.filter((l) => l.startsWith('REPORT ')).map((l) => JSON.parse(l.slice(7)) as { applied: number });
    expect(reports.reduce((n, r) => n + r.applied, 0)).toBe(60);
    expect(await buffer.pending()).toEqual([]);
    expect((await new RunSummaries(dir).read('run1'))?.counters).toEqual({ applied: 60, records: 120 });
  });

  it('merges summaries from two processes under the lock: counters add, lists union', async () => {
    await both(dir, 'summary', '80');
    const s = await new RunSummaries(dir).read('run2');
    expect(s?.counters.chunks).toBe(160);
    expect(s?.lists.days).toHaveLength(28);
  });
});
