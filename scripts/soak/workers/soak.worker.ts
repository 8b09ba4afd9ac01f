import { Schedule, ScheduleWorker, type RunContext } from '../../../app';

/** The soak's steady stream: a no-op job that stores one log line naming its number (runs are counted from them). */
@Schedule({ id: 'soak-noop', concurrency: 20, attempts: 3, backoff: { type: 'fixed', delayMs: 200 } })
export class SoakNoopWorker extends ScheduleWorker<{ n: number }> {
  run(ctx: RunContext<{ n: number }>) {
    ctx.log.info(`soak job ${ctx.params.n}`);
    return { n: ctx.params.n };
  }
}
