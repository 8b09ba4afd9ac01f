/** Bulk and delayed enqueue, deterministic job ids, attempts/timeoutMs from settings, ctx.willRetry and onFailed. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Type } from '@sinclair/typebox';
import { NonRetryableError, Schedule, ScheduleWorker, type FailureInfo, type RunContext } from '../../app';
import { readJson } from '../../app/core/database/connection';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/isolation';

const failures: Array<{ worker: string; attempt: number; attempts: number; willRetry: boolean; final: boolean; error: string }> = [];

@Schedule({ id: 'em-delayed', concurrency: 50, params: Type.Object({ n: Type.Integer(), delayMs: Type.Integer() }) })
class DelayedWorker extends ScheduleWorker<{ n: number; delayMs: number }> {
  run() {
    return { at: Date.now() };
  }
}

@Schedule({ id: 'em-parent' })
class ParentWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    const at = Date.now();
    const one = await ctx.enqueue('em-delayed', { n: -1, delayMs: 800 }, { delayMs: 800 });
    const many = await ctx.enqueueMany<{ n: number; delayMs: number }>('em-delayed', [
      { params: { n: -2, delayMs: 0 } }, { params: { n: -3, delayMs: 600 }, delayMs: 600, jobId: `em-child:${ctx.executionId}` },
      { params: { n: -4, delayMs: 600 }, delayMs: 600, jobId: `em-child:${ctx.executionId}` },
    ]);
    return { at, one, many };
  }
}

/** Records what ctx and onFailed say about each failed try. */
abstract class Recording extends ScheduleWorker {
  override onFailed(ctx: RunContext, err: unknown, info: FailureInfo): void {
    failures.push({ worker: ctx.workerId, attempt: ctx.attempt, attempts: ctx.attempts, willRetry: ctx.willRetry(err), final: info.final, error: String(err) });
  }
}

@Schedule({ id: 'em-flaky', attempts: 'EM_ATTEMPTS', backoff: 20 })
class FlakyWorker extends Recording {
  run(ctx: RunContext): never {
    throw new Error(`transient ${ctx.attempt}`);
  }
}

@Schedule({ id: 'em-bad-input', attempts: 4 })
class BadInputWorker extends Recording {
  run(): never {
    throw new NonRetryableError('upstream said 404');
  }
}

@Schedule({ id: 'em-slow', timeoutMs: 'EM_TIMEOUT_MS', attempts: 2, backoff: 20 })
class SlowWorker extends Recording {
  async run(ctx: RunContext) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return 'never';
  }
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness('enqueue_many', [DelayedWorker, ParentWorker, FlakyWorker, BadInputWorker, SlowWorker], { EM_ATTEMPTS: '3', EM_TIMEOUT_MS: '300' });
});
afterAll(async () => {
  await h?.close();
});

async function rows(sql: string, args: unknown[]): Promise<RowDataPacket[]> {
  const [r] = await h.pool.query<RowDataPacket[]>(sql, args);
  return r;
}

describe('enqueueMany', () => {
  it('2,000 delayed jobs: one addBulk, every row queued at once, none starts before its delay', async () => {
    const queue = h.container.queues.get('em-delayed');
    const addBulk = vi.spyOn(queue, 'addBulk');
    const add = vi.spyOn(queue, 'add');
    const jobs = Array.from({ length: 2_000 }, (_, n) => ({ params: { n, delayMs: 5_000 + (n % 1_000) }, delayMs: 5_000 + (n % 1_000) }));
    const t0 = Date.now();
    const ids = await h.container.dispatcher.enqueueMany('em-delayed', jobs);
    expect(addBulk).toHaveBeenCalledTimes(1);
    expect(add).not.toHaveBeenCalled();
    addBulk.mockRestore();
    add.mockRestore();
    expect(new Set(ids).size).toBe(2_000);
    await h.container.recorder.drain();
    const queued = await rows("SELECT COUNT(*) AS n FROM executions WHERE id IN (?) AND status = 'queued'", [ids]);
    expect(Date.now() - t0, 'the check ran before the shortest delay passed').toBeLessThan(5_000);
    expect(Number(queued[0].n)).toBe(2_000);
    expect(await queue.getDelayedCount()).toBeGreaterThanOrEqual(2_000);
    const done = await eventually(async () => {
      const r = await rows("SELECT id, params, result FROM executions WHERE id IN (?) AND status = 'succeeded'", [ids]);
      return r.length === 2_000 ? r : undefined;
    }, { what: '2,000 delayed jobs done', timeoutMs: 60_000, intervalMs: 250 });
    for (const row of done) {
      const { delayMs } = readJson(row.params) as { delayMs: number };
      expect((readJson(row.result) as { at: number }).at).toBeGreaterThanOrEqual(t0 + delayMs);
    }
  }, 90_000);

  it('the same jobId is one job and one row: within a call, across calls and across concurrent calls', async () => {
    const d = h.container.dispatcher;
    const spec = (jobId: string) => ({ params: { n: 1, delayMs: 60_000 }, delayMs: 60_000, jobId });
    const [a, b] = await d.enqueueMany('em-delayed', [spec('dup-1'), spec('dup-1')]);
    expect(b).toBe(a);
    expect(await d.enqueueMany('em-delayed', [spec('dup-1')])).toEqual([a]);
    expect(await d.enqueue('em-delayed', { n: 1, delayMs: 0 }, { jobId: 'dup-1' })).toBe(a);
    const racing = await Promise.all(Array.from({ length: 8 }, () => d.enqueueMany('em-delayed', [spec('dup-2')])));
    expect(new Set(racing.flat()).size).toBe(1);
    await h.container.recorder.drain();
    const r = await rows("SELECT id, job_id FROM executions WHERE job_id IN ('dup-1', 'dup-2') ORDER BY job_id", []);
    expect(r.map((x) => [x.job_id, x.id])).toEqual([['dup-1', a], ['dup-2', racing[0][0]]]);
  });

  it('rejects a bad job as a whole: nothing is enqueued', async () => {
    const queue = h.container.queues.get('em-delayed');
    const before = await queue.count();
    await expect(h.container.dispatcher.enqueueMany('em-delayed', [{ params: { n: 1, delayMs: 0 } }, { params: { n: 2, delayMs: 0 }, delayMs: -5 }])).rejects.toThrow(/jobs\[1\]\.delayMs must be a number >= 0/);
    await expect(h.container.dispatcher.enqueueMany('em-delayed', [{ params: { n: 1, delayMs: 0 } }, { params: { n: 'two' } as never }])).rejects.toThrow(/jobs\[1\]/);
    expect(await queue.count()).toBe(before);
  });

  it('ctx.enqueue honours delayMs and ctx.enqueueMany chains jobs linked to the parent', async () => {
    const parent = await h.container.dispatcher.trigger('em-parent');
    const row = await h.executionIn(parent, ['succeeded']);
    const { at, one, many } = readJson(row.result) as { at: number; one: string; many: string[] };
    expect(many[2]).toBe(many[1]);
    for (const [id, delay] of [[one, 800], [many[0], 0], [many[1], 600]] as const) {
      const child = await h.executionIn(id, ['succeeded']);
      expect(child).toMatchObject({ trigger: 'chained', parent_execution_id: parent });
      expect((readJson(child.result) as { at: number }).at).toBeGreaterThanOrEqual(at + delay);
    }
  });
});

describe('attempts, timeouts, willRetry and onFailed', () => {
  it('attempts read from a setting; willRetry and onFailed agree with what the runner records', async () => {
    const id = await h.container.dispatcher.trigger('em-flaky');
    const row = await h.executionIn(id, ['failed'], 20_000);
    expect(row.attempt).toBe(3);
    expect(failures.filter((f) => f.worker === 'em-flaky').map(({ attempt, attempts, willRetry, final }) => ({ attempt, attempts, willRetry, final }))).toEqual([
      { attempt: 1, attempts: 3, willRetry: true, final: false },
      { attempt: 2, attempts: 3, willRetry: true, final: false },
      { attempt: 3, attempts: 3, willRetry: false, final: true },
    ]);
  });

  it('a non-retryable error is final on the first try', async () => {
    const id = await h.container.dispatcher.trigger('em-bad-input');
    await h.executionIn(id, ['failed']);
    expect(failures.filter((f) => f.worker === 'em-bad-input')).toEqual([expect.objectContaining({ attempt: 1, attempts: 4, willRetry: false, final: true })]);
  });

  it('timeoutMs read from a setting; a timeout is retried while tries are left', async () => {
    const id = await h.container.dispatcher.trigger('em-slow');
    const row = await h.executionIn(id, ['timed_out'], 20_000);
    expect(row.error).toMatch(/timed out after 300 ms/);
    expect(failures.filter((f) => f.worker === 'em-slow').map((f) => [f.attempt, f.willRetry, f.final])).toEqual([[1, true, false], [2, false, true]]);
  });
});
