import { record } from '../../decorators/declarations';
import type { ScheduleOptions } from './schedule.options';

/** Declares a scheduled (cron) or on-demand task on a class extending `ScheduleWorker`. */
export function Schedule(options: ScheduleOptions = {}): ClassDecorator {
  return (target) => record('schedule', target, options);
}
