import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import type { SluiceEvent } from '../../app/core/services/events';
import { startHarness, type Harness } from '../support/harness';

let release: () => void = () => undefined;

@Schedule({ id: 'ls-gated' })
class GatedWorker extends ScheduleWorker {
  async run() {
    await new Promise<void>((resolve) => (release = resolve));
    return 'done';
  }
}

@Schedule({ id: 'ls-burst', concurrency: 5 })
class BurstWorker extends ScheduleWorker {
  run(ctx: RunContext<{ fail?: boolean }>) {
    if (ctx.params.fail) throw new Error('asked to fail');
    return { ok: true };
  }
}

let h: Harness;
beforeAll(async () => {
  // A wide group-commit window, so the burst below travels in a few script calls.
  h = await startHarness('live-state', [BurstWorker, GatedWorker], { LIVE_FLUSH_INTERVAL_MS: '50' });
});
afterAll(async () => h?.close());

const of = (type: string, id: string) => (e: SluiceEvent) => e.type === type && (e.data as { executionId?: string }).executionId === id;
const live = (workerId = 'ls-burst') => h.container.redis.hgetall(h.container.keys.state(workerId));
const stateEvent = (state: string) => (e: SluiceEvent) => e.type === 'worker.state' && (e.data as { workerId: string }).workerId === 'ls-gated' && (e.data as { state: string }).state === state;

describe('live state under a burst of runs (grouped writes to Redis)', () => {
  it('publishes every start and end once, and ends idle with an empty running set', async () => {
    const ids = await Promise.all(Array.from({ length: 120 }, (_, i) => h.container.dispatcher.trigger('ls-burst', { i })));
    await Promise.all(ids.map((id) => h.waitForEvent(of('execution.finished', id))));
    for (const id of ids) {
      const started = h.events.filter(of('execution.started', id));
      const finished = h.events.filter(of('execution.finished', id));
      expect(started, id).toHaveLength(1);
      expect(finished, id).toHaveLength(1);
      expect((finished[0].data as { status: string }).status).toBe('succeeded');
      expect(Date.parse(started[0].ts)).toBeLessThanOrEqual(Date.parse(finished[0].ts));
    }
    const state = await live();
    expect(state).toMatchObject({ state: 'idle', execution_id: '', consecutive_failures: '0', last_status: 'succeeded' });
    expect(ids).toContain(state.last_execution_id);
    expect(await h.container.redis.zcard(h.container.keys.overlap('ls-burst'))).toBe(0);
  });

  it('counts consecutive failures across runs and resets the streak on a success', async () => {
    for (let i = 0; i < 3; i++) {
      const id = await h.container.dispatcher.trigger('ls-burst', { fail: true });
      await h.waitForEvent(of('execution.finished', id));
      expect(await live()).toMatchObject({ consecutive_failures: String(i + 1), last_status: 'failed', last_error: 'asked to fail', state: 'idle' });
    }
    const ok = await h.container.dispatcher.trigger('ls-burst', {});
    await h.waitForEvent(of('execution.finished', ok));
    expect(await live()).toMatchObject({ consecutive_failures: '0', last_status: 'succeeded', last_execution_id: ok });
  });

  it('shows a run that spans writes as running (worker.state with its execution), then idle', async () => {
    const id = await h.container.dispatcher.trigger('ls-gated', {});
    const running = await h.waitForEvent(stateEvent('running'));
    expect((running.data as { executionId: string }).executionId).toBe(id);
    expect(await live('ls-gated')).toMatchObject({ state: 'running', execution_id: id, last_execution_id: id });
    expect(await h.container.redis.zscore(h.container.keys.overlap('ls-gated'), id)).not.toBeNull();
    release();
    await h.waitForEvent(stateEvent('idle'));
    expect(await live('ls-gated')).toMatchObject({ state: 'idle', execution_id: '', last_status: 'succeeded', last_result: '"done"' });
    expect(await h.container.redis.zcard(h.container.keys.overlap('ls-gated'))).toBe(0);
  });
});
