/** The schedule kind: cron and on-demand tasks consumed from Bull queues. */
import type { WorkerKind } from '../kind';
import { buildSchedule, describeSchedule, type ScheduleDefinition } from './schedule.definition';
import { ScheduleRuntime } from './schedule.runtime';
import { ScheduleWorker } from './schedule-worker';

export const scheduleKind: WorkerKind<ScheduleDefinition> = {
  name: 'schedule',
  decorator: 'Schedule',
  base: ScheduleWorker,
  build: buildSchedule,
  describe: describeSchedule,
  columns: (def) => ({ cron: def.cron, timezone: def.timezone }),
  actions: ['trigger', 'stop', 'enable', 'disable', 'schedule'],
  idleState: 'idle',
  run: (defs, c) => new ScheduleRuntime(defs, c),
};

export type { ScheduleDefinition } from './schedule.definition';
export { ScheduleWorker } from './schedule-worker';
