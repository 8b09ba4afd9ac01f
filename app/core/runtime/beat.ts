/**
 * The beat role: node-cron fires each enabled schedule in its timezone; only the lease holder enqueues, and every
 * fire uses the job id `workerId:fireTimeISO`, so a fire is never enqueued twice even across beats. Schedules are
 * reloaded when a `schedule.changed` event arrives (enable/disable, cron or timezone change through the core).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { RowDataPacket } from 'mysql2/promise';
import { describeTarget, EventBus } from '../services/events';
import { errorText } from '../services/failure';
import { LeaderLease } from '../services/leader-lease';
import { deterministicExecutionId } from '../services/ids';
import { nextFire, previousFire } from '../registry/cron';
import type { WorkerRecord } from '../services/state-mirror';
import type { Container } from './container';

export interface BeatRole {
  lease: LeaderLease;
  reload(workerId?: string): Promise<void>;
  stop(): Promise<void>;
}

export function fireJobId(workerId: string, fireTime: Date): string {
  return `${workerId}:${fireTime.toISOString()}`;
}

class Beat {
  readonly tasks = new Map<string, { task: ScheduledTask; row: WorkerRecord }>();
  readonly lease: LeaderLease;

  constructor(private readonly c: Container) {
    this.lease = new LeaderLease(c.redis, c.keys.lease('beat'), c.settings.BEAT_LEASE_MS, (leader) => {
      c.logger.info(leader ? 'beat: this process is the leader and fires schedules' : 'beat: standing by (not the leader)');
      if (leader) void this.catchUp().catch((err: unknown) => c.logger.error(`beat: catch-up of missed fires failed: ${errorText(err)}`));
    });
  }

  private tz(row: WorkerRecord): string {
    return row.timezone ?? this.c.settings.DEFAULT_TIMEZONE;
  }

  async fire(row: WorkerRecord, scheduled: Date): Promise<void> {
    if (!this.lease.isLeader) return;
    const at = new Date(Math.floor(scheduled.getTime() / 1000) * 1000);
    try {
      await this.c.dispatcher.enqueue(row.id, {}, { trigger: 'cron', jobId: fireJobId(row.id, at), at });
      await this.c.redis.set(this.c.keys.nextFire(row.id), nextFire(row.cron!, this.tz(row), at).toISOString());
    } catch (err) {
      this.c.logger.error(`beat: could not enqueue ${row.id} for ${at.toISOString()}: ${(err as Error).message}`, { workerId: row.id });
    }
  }

  /** Brings the node-cron tasks in line with the workers table (all schedules, or one). */
  async reload(workerId?: string): Promise<void> {
    const ids = workerId ? [workerId] : this.c.registry.schedules.map((s) => s.id);
    const rows = await this.c.mirror.loadWorkers(ids);
    for (const id of ids) {
      const current = this.tasks.get(id);
      const row = rows.find((r) => r.id === id);
      const wanted = row && row.kind === 'schedule' && row.enabled && row.cron && this.c.registry.schedule(id) ? row : null;
      if (current && (!wanted || current.row.cron !== wanted.cron || current.row.timezone !== wanted.timezone)) {
        await current.task.destroy();
        this.tasks.delete(id);
      }
      if (wanted && !this.tasks.has(id)) {
        const task = cron.schedule(wanted.cron!, (ctx) => this.fire(wanted, ctx.date), { timezone: this.tz(wanted), name: id });
        // A tick that came too late (busy event loop) is reported as missed: enqueue it anyway, late beats lost.
        task.on('execution:missed', (ctx) => this.fire(wanted, ctx.date));
        this.tasks.set(id, { task, row: wanted });
        await this.c.redis.set(this.c.keys.nextFire(id), nextFire(wanted.cron!, this.tz(wanted)).toISOString());
      }
      if (!wanted) await this.c.redis.del(this.c.keys.nextFire(id));
    }
  }

  /**
   * catchUp 'last': when this beat becomes leader, the latest fire of each such schedule that no beat enqueued
   * (no job and no execution row for it) is enqueued once — fires missed while no beat ran.
   */
  async catchUp(): Promise<void> {
    for (const { row } of this.tasks.values()) {
      if (this.c.registry.schedule(row.id)?.catchUp !== 'last') continue;
      const at = previousFire(row.cron!, this.tz(row));
      if (at < row.createdAt) continue;
      const jobId = fireJobId(row.id, at);
      const [seen] = await this.c.core.pool.query<RowDataPacket[]>('SELECT 1 FROM executions WHERE id = ?', [deterministicExecutionId(jobId, at)]);
      if (seen.length || (await this.c.queues.get(row.id).getJob(jobId))) continue;
      this.c.logger.info(`beat: catching up the missed fire of ${row.id} at ${at.toISOString()}`, { workerId: row.id });
      await this.c.dispatcher.enqueue(row.id, {}, { trigger: 'cron', jobId, at }).catch((err: Error) =>
        this.c.logger.error(`beat: catch-up of ${row.id} failed: ${err.message}`, { workerId: row.id }));
    }
  }

  async stop(): Promise<void> {
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    await this.lease.stop();
  }
}

export async function startBeatRole(c: Container, opts: { seed?: boolean } = {}): Promise<BeatRole> {
  await c.init();
  if (opts.seed !== false) {
    await c.mirror.seedRegistry(c.registry);
    await c.mirror.syncDbToRedis(c.registry);
  }
  const beat = new Beat(c);
  await beat.reload();
  await beat.lease.start();
  const sub = c.redisFactory.create('beat:events-sub', { blocking: true });
  await EventBus.subscribe(sub, c.keys.events, (e) => {
    if (e.type === 'schedule.changed') return beat.reload((e.data as { workerId: string }).workerId);
  }, (err, e) => c.logger.error(`beat: could not reload the schedule${describeTarget(e)}: ${errorText(err)}`, { workerId: (e?.data as { workerId?: string } | undefined)?.workerId }));
  c.logger.info(`beat scheduling ${beat.tasks.size} schedule(s)`);
  return { lease: beat.lease, reload: (id) => beat.reload(id), stop: () => beat.stop() };
}
