import type { RunContext } from './context';

/** Base of `@Schedule` classes. One instance per worker per process; `run` is called once per job. */
export abstract class ScheduleWorker<P = Record<string, unknown>, R = unknown> {
  abstract run(ctx: RunContext<P>): Promise<R> | R;
}
