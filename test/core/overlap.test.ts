import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { startHarness, type Harness } from '../support/harness';

let release: () => void = () => undefined;
const gate = () => new Promise<void>((resolve) => (release = resolve));

@Schedule({ id: 'o-skip', cron: '0 0 1 1 *', concurrency: 3, overlap: 'skip' })
class SkipWorker extends ScheduleWorker {
  async run() {
    await gate();
    return 'first';
  }
}

@Schedule({ id: 'o-allow', cron: '0 0 1 1 *', concurrency: 3, overlap: 'allow' })
class AllowWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    return ctx.executionId;
  }
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness('overlap', [SkipWorker, AllowWorker]);
});
afterAll(async () => h?.close());

const fire = (workerId: string, at: string) => h.container.dispatcher.enqueue(workerId, {}, { trigger: 'cron', jobId: `${workerId}:${at}`, at: new Date(at) });

describe("overlap 'skip'", () => {
  it('records a cron fire as skipped while the previous run is still running, then runs the next one', async () => {
    const first = await fire('o-skip', '2026-01-01T00:00:00.000Z');
    await h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === first);
    const second = await fire('o-skip', '2026-01-01T00:00:01.000Z');
    const skipped = await h.executionIn(second, ['skipped', 'running', 'succeeded']);
    expect(skipped.status).toBe('skipped');
    expect(skipped.error).toBe('previous run still running');
    // The refused start's events were dropped from the live-state batch; only its skip was announced.
    await h.waitForEvent((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === second);
    expect(h.events.filter((e) => (e.data as { executionId?: string }).executionId === second).map((e) => e.type)).toEqual(['execution.finished']);
    release();
    await h.executionIn(first, ['succeeded']);
    const third = await fire('o-skip', '2026-01-01T00:00:02.000Z');
    await h.waitForEvent((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === third);
    release();
    expect((await h.executionIn(third, ['succeeded', 'skipped'])).status).toBe('succeeded');
  });

  it('enqueues one fire once: the same workerId:fireTime job id gives the same execution and one run', async () => {
    const a = await fire('o-allow', '2026-01-01T00:00:05.000Z');
    const b = await fire('o-allow', '2026-01-01T00:00:05.000Z');
    expect(b).toBe(a);
    await h.executionIn(a, ['succeeded']);
    const counts = await h.container.queues.get('o-allow').getJobCounts();
    expect(counts.completed + counts.active + counts.waiting).toBe(1);
  });
});
