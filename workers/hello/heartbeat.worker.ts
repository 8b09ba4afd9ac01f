import { Schedule, ScheduleWorker, type RunContext } from '../../app';

/** A tiny example: fires every minute and logs a line; shows the smallest possible worker. */
@Schedule({ cron: '0 * * * * *', description: 'Logs a heartbeat line every minute' })
export class HeartbeatWorker extends ScheduleWorker {
  async run(ctx: RunContext): Promise<{ at: string }> {
    const at = new Date().toISOString();
    ctx.log.info('heartbeat', { at });
    return { at };
  }
}
