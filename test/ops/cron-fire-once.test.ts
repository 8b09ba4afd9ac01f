/**
 * A cron fire runs once even after Bull trimmed its completed job (JOB_KEEP_COMPLETED=1): the same fire enqueued
 * again (as after a beat failover or a catch-up) finds the durable (worker, fire time) key in MySQL and is dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker } from '../../app';
import { fireJobId } from '../../app/core/runtime/beat';
import { fireTimeOf } from '../../app/core/services/cron-fires';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/isolation';

let runs = 0;
let failFirst = false;

@Schedule({ id: 'once-cron', cron: '0 3 * * *', attempts: 2, backoff: { type: 'fixed', delayMs: 10 } })
class OnceCron extends ScheduleWorker {
  run() {
    runs++;
    if (failFirst) {
      failFirst = false;
      throw new Error('first attempt fails');
    }
    return { runs };
  }
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness('fire-once', [OnceCron], { JOB_KEEP_COMPLETED: '1' });
});
afterAll(async () => h?.close());

const fire = (at: Date) => h.container.dispatcher.enqueue('once-cron', {}, { trigger: 'cron', jobId: fireJobId('once-cron', at), at });
const completed = async () => (await h.container.queues.get('once-cron').getJobs(['completed'])).map((j) => String(j.id));

describe('a cron fire runs once, even after Bull trimmed its job', () => {
  it('reads the fire time back from the job id', () => {
    const at = new Date('2026-01-02T03:00:00.000Z');
    expect(fireTimeOf('once-cron', fireJobId('once-cron', at))).toEqual(at);
    expect(fireTimeOf('once-cron', 'other:2026-01-02T03:00:00.000Z')).toBeNull();
    expect(fireTimeOf('once-cron', 'once-cron:not-a-date')).toBeNull();
  });

  it('a fire enqueued again after its job was trimmed does not run again, and its row keeps the first result', async () => {
    const first = new Date('2026-01-02T03:00:00.000Z');
    const id = await fire(first);
    await h.executionIn(id, ['succeeded']);
    // Another fire completes, and Bull (keeping 1 completed job) trims the first one.
    const second = await fire(new Date('2026-01-03T03:00:00.000Z'));
    await h.executionIn(second, ['succeeded']);
    await eventually(async () => !(await completed()).includes(fireJobId('once-cron', first)), { what: 'Bull trimmed the first fire' });
    expect(runs).toBe(2);

    const again = await fire(first);
    expect(again).toBe(id);
    const dropped = await eventually(async () => (await completed()).includes(fireJobId('once-cron', first)) || undefined, { what: 'the repeated fire handled' });
    expect(dropped).toBe(true);
    expect(runs).toBe(2);
    const row = await h.executionIn(id, ['succeeded']);
    expect(row.result).toEqual({ runs: 1 });
    const [claims] = await h.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM cron_fires WHERE worker_id = 'once-cron'");
    expect(Number(claims[0].n)).toBe(2);
  });

  it('the retries of the enqueue that claimed the fire still run', async () => {
    failFirst = true;
    const before = runs;
    const id = await fire(new Date('2026-01-04T03:00:00.000Z'));
    const row = await h.executionIn(id, ['succeeded']);
    expect(row.attempt).toBe(2);
    expect(runs - before).toBe(2);
  });
});
