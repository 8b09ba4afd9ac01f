import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Type } from '@sinclair/typebox';
import { NonRetryableError, Schedule, ScheduleWorker, type AbandonedContext, type RunContext } from '../../app';
import { readJson } from '../../app/core/database/connection';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/isolation';

const calls = { flaky: [] as number[], nonRetryable: 0, patterned: 0 };

@Schedule({ id: 't-ok', params: Type.Object({ n: Type.Number() }) })
class OkWorker extends ScheduleWorker<{ n: number }> {
  async run(ctx: RunContext<{ n: number }>) {
    ctx.log.info('doubling', { n: ctx.params.n });
    ctx.log.warn('a warning line');
    return { doubled: ctx.params.n * 2 };
  }
}

@Schedule({ id: 't-timeout', timeoutMs: 300 })
class SlowWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return 'never';
  }
}

@Schedule({ id: 't-flaky', attempts: 3, backoff: { type: 'exponential', delayMs: 200 } })
class FlakyWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    calls.flaky.push(Date.now());
    if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
    return { attempt: ctx.attempt };
  }
}

@Schedule({ id: 't-nonretry', attempts: 5 })
class NonRetryWorker extends ScheduleWorker {
  async run() {
    calls.nonRetryable++;
    throw new NonRetryableError('bad request: 404 https://example.invalid/x');
  }
}

@Schedule({ id: 't-pattern', attempts: 5, nonRetryable: [/invalid credentials/] })
class PatternWorker extends ScheduleWorker {
  async run() {
    calls.patterned++;
    throw new Error('upstream said: invalid credentials');
  }
}

@Schedule({ id: 't-progress' })
class ProgressWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    await ctx.progress({ done: 1, total: 4 });
    await ctx.progress(100);
    ctx.publish('demo.progressed', { steps: 2 });
    return 'done';
  }
}

@Schedule({ id: 't-parent' })
class ParentWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    const child = await ctx.enqueue('t-ok', { n: 21 });
    return { child };
  }
}

@Schedule({ id: 't-quiet', history: 'failures', params: Type.Object({ fail: Type.Boolean() }) })
class QuietWorker extends ScheduleWorker<{ fail: boolean }> {
  async run(ctx: RunContext<{ fail: boolean }>) {
    ctx.log.info('routine line');
    if (ctx.params.fail) throw new NonRetryableError('quiet failure');
    return 'ok';
  }
}

@Schedule({ id: 't-cancel' })
class CancelWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    throw ctx.signal.reason;
  }
}

let openConcGate: () => void = () => undefined;
const concGate = new Promise<void>((resolve) => (openConcGate = resolve));

@Schedule({ id: 't-conc', concurrency: 'T_CONC' })
class ConcurrentWorker extends ScheduleWorker {
  async run() {
    await concGate;
    return 'ok';
  }
}

const abandoned: Array<{ params: unknown; error: string; redis: string; mongo: string }> = [];
let releaseStuck: () => void = () => undefined;

@Schedule({ id: 't-stuck' })
class StuckWorker extends ScheduleWorker<{ batch: number }> {
  async run() {
    await new Promise<void>((resolve) => (releaseStuck = resolve));
    return 'late';
  }

  override async onAbandoned(ctx: AbandonedContext<{ batch: number }>) {
    // The services of a run reach the handler (this harness has no MONGO_URL: the container's own refusal).
    const mongo = await ctx.mongo().then(() => 'connected', (err: Error) => err.message);
    abandoned.push({ params: ctx.params, error: ctx.error, redis: await ctx.redis.ping(), mongo });
  }
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness('runner', [OkWorker, SlowWorker, FlakyWorker, NonRetryWorker, PatternWorker, ProgressWorker, ParentWorker, QuietWorker, CancelWorker, ConcurrentWorker, StuckWorker], { T_CONC: '3' });
});
afterAll(async () => h?.close());

async function logsOf(executionId: string): Promise<RowDataPacket[]> {
  const [rows] = await h.pool.query<RowDataPacket[]>('SELECT level, message, meta FROM execution_logs WHERE execution_id = ? ORDER BY ts, id', [executionId]);
  return rows;
}

describe('job runner', () => {
  it('runs a triggered job to succeeded with its result, params and ctx.log lines stored', async () => {
    const id = await h.container.dispatcher.trigger('t-ok', { n: 4 });
    const row = await h.executionIn(id, ['succeeded']);
    expect(readJson(row.result)).toEqual({ doubled: 8 });
    expect(readJson(row.params)).toEqual({ n: 4 });
    expect(row.attempt).toBe(1);
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(row.trigger).toBe('manual');
    const lines = await eventually(async () => {
      const l = await logsOf(id);
      return l.length >= 2 ? l : undefined;
    });
    expect(lines.map((l) => [l.level, l.message])).toEqual([['info', 'doubling'], ['warn', 'a warning line']]);
    expect(readJson<Record<string, unknown>>(lines[0].meta)).toMatchObject({ n: 4, attempt: 1 });
    const live = await h.container.mirror.liveState('t-ok');
    expect(live.last_execution_id).toBe(id);
  });

  it('rejects params that do not match the worker schema, naming the field', async () => {
    await expect(h.container.dispatcher.trigger('t-ok', { n: 'four' })).rejects.toThrow(/params\.n/);
    await expect(h.container.dispatcher.trigger('nope', {})).rejects.toThrow(/No schedule worker with id "nope"/);
  });

  it('aborts a run past timeoutMs: ctx.signal fires and the row ends timed_out', async () => {
    const id = await h.container.dispatcher.trigger('t-timeout');
    const row = await h.executionIn(id, ['timed_out', 'failed', 'succeeded']);
    expect(row.status).toBe('timed_out');
    expect(row.error).toMatch(/timed out after 300 ms/);
    expect(row.duration_ms).toBeGreaterThanOrEqual(290);
  });

  it('retries a failing job with exponential backoff and ends succeeded on the third attempt', async () => {
    const id = await h.container.dispatcher.trigger('t-flaky');
    const row = await h.executionIn(id, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');
    expect(row.attempt).toBe(3);
    expect(readJson(row.result)).toEqual({ attempt: 3 });
    expect(calls.flaky).toHaveLength(3);
    const gaps = [calls.flaky[1] - calls.flaky[0], calls.flaky[2] - calls.flaky[1]];
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(390); // exponential: 200 ms, then 400 ms
    const errors = (await logsOf(id)).filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toEqual(['run failed: transient failure 1', 'run failed: transient failure 2']);
  });

  it('fails a NonRetryableError at once despite attempts', async () => {
    const id = await h.container.dispatcher.trigger('t-nonretry');
    const row = await h.executionIn(id, ['failed']);
    expect(row.attempt).toBe(1);
    expect(row.error).toContain('404 https://example.invalid/x');
    const job = await h.container.queues.get('t-nonretry').getJob(id);
    expect(await job?.getState()).toBe('failed');
    expect(calls.nonRetryable).toBe(1);
  });

  it('fails at once an error matching a nonRetryable pattern', async () => {
    const id = await h.container.dispatcher.trigger('t-pattern');
    await h.executionIn(id, ['failed']);
    const job = await h.container.queues.get('t-pattern').getJob(id);
    expect(await job?.getState()).toBe('failed');
    expect(calls.patterned).toBe(1);
  });

  it('records progress on the row, in Redis and as events', async () => {
    const id = await h.container.dispatcher.trigger('t-progress');
    const row = await h.executionIn(id, ['succeeded']);
    expect(readJson(row.progress)).toBe(100);
    const progressEvents = h.events.filter((e) => e.type === 'execution.progress' && (e.data as { executionId: string }).executionId === id);
    expect(progressEvents.map((e) => (e.data as { progress: unknown }).progress)).toEqual([{ done: 1, total: 4 }, 100]);
    const custom = await h.waitForEvent((e) => e.type === 'demo.progressed');
    expect(custom.data).toEqual({ steps: 2, workerId: 't-progress', executionId: id });
  });

  it('chains a task with ctx.enqueue: the child runs with trigger chained and a parent link', async () => {
    const parentId = await h.container.dispatcher.trigger('t-parent');
    const parent = await h.executionIn(parentId, ['succeeded']);
    const { child } = readJson<{ child: string }>(parent.result)!;
    const row = await h.executionIn(child, ['succeeded']);
    expect(row.trigger).toBe('chained');
    expect(row.parent_execution_id).toBe(parentId);
    expect(readJson(row.result)).toEqual({ doubled: 42 });
  });

  it("history 'failures' writes no row for a success but a full row and its logs for a failure", async () => {
    const okId = await h.container.dispatcher.trigger('t-quiet', { fail: false });
    const failId = await h.container.dispatcher.trigger('t-quiet', { fail: true });
    const failed = await h.executionIn(failId, ['failed']);
    expect(failed.error).toContain('quiet failure');
    await h.waitForEvent((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === okId);
    await h.container.recorder.drain();
    await h.container.logWriter.drain();
    expect(await h.execution(okId)).toBeUndefined();
    expect(await logsOf(okId)).toHaveLength(0);
    expect((await logsOf(failId)).map((l) => l.message)).toContain('routine line');
  });

  it('settles from Bull a row a crashed process left running after the job completed', async () => {
    const id = await h.container.dispatcher.trigger('t-ok', { n: 5 });
    await h.executionIn(id, ['succeeded']);
    // What a kill between Bull's acknowledgement and the batched row write leaves behind:
    await h.pool.query("UPDATE executions SET status = 'running', result = NULL, finished_at = NULL, started_at = NOW(3) - INTERVAL 10 MINUTE WHERE id = ?", [id]);
    expect(await h.worker.reconciler.runOnce()).toBe(1);
    const row = await h.executionIn(id, ['succeeded']);
    expect(readJson(row.result)).toEqual({ doubled: 10 });
    expect(await h.worker.reconciler.runOnce()).toBe(0);
    // A row still 'queued' (not even the start was written) whose job Bull completed is settled the same way.
    await h.pool.query("UPDATE executions SET status = 'queued', result = NULL, queued_at = NOW(3) - INTERVAL 10 MINUTE WHERE id = ?", [id]);
    expect(await h.worker.reconciler.runOnce()).toBe(1);
    expect(readJson((await h.executionIn(id, ['succeeded'])).result)).toEqual({ doubled: 10 });
  });

  it('takes concurrency from a setting when the decorator names one', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => h.container.dispatcher.trigger('t-conc')));
    // With the default concurrency of 1 only the first would start before the gate opens.
    await Promise.all(ids.map((id) => h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === id, 10_000)));
    openConcGate();
    for (const id of ids) await h.executionIn(id, ['succeeded']);
  });

  it('a job Bull gives up on after stalling is recorded failed, onAbandoned is told, and a late finish changes nothing', async () => {
    const id = await h.container.dispatcher.trigger('t-stuck', { batch: 7 });
    await h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === id);
    // What Bull's stall checker emits once a job stalled more than QUEUE_MAX_STALLED_COUNT times:
    const queue = h.container.queues.get('t-stuck');
    queue.emit('failed', await queue.getJob(id), new Error('job stalled more than allowable limit'));
    const row = await h.executionIn(id, ['failed']);
    expect(row.error).toMatch(/stalled more than allowable limit/);
    await eventually(async () => abandoned.length === 1, { what: 'onAbandoned' });
    expect(abandoned[0]).toMatchObject({ params: { batch: 7 }, error: expect.stringMatching(/stalled/), redis: 'PONG', mongo: expect.stringMatching(/MongoDB is not configured in this process/) });
    releaseStuck(); // the original run finishes late: its success must not overwrite the recorded failure
    await h.waitForEvent((e) => e.type === 'execution.finished' && (e.data as { executionId: string; status: string }).executionId === id && (e.data as { status: string }).status === 'succeeded');
    await h.container.recorder.drain();
    expect((await h.execution(id))?.status).toBe('failed');
  });

  it('cancels a running execution: ctx.signal fires and the row ends cancelled, not retried', async () => {
    const id = await h.container.dispatcher.trigger('t-cancel');
    await h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === id);
    expect(h.worker.runner.cancel(id)).toBe(true);
    const row = await h.executionIn(id, ['cancelled', 'failed']);
    expect(row.status).toBe('cancelled');
    expect(row.error).toMatch(/stopped by request/);
  });
});
