/**
 * The beat role: node-cron fires each enabled schedule in its timezone; only the lease holder enqueues, and every
 * fire uses the job id `workerId:fireTimeISO`, so a fire is never enqueued twice even across beats.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { EventBus } from '../services/events';
import { LeaderLease } from '../services/leader-lease';
import { nextFire } from '../registry/cron';
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

export async function startBeatRole(c: Container, opts: { seed?: boolean } = {}): Promise<BeatRole> {
  await c.init();
  if (opts.seed !== false) {
    await c.mirror.seedRegistry(c.registry);
    await c.mirror.syncDbToRedis(c.registry);
  }
  const tasks = new Map<string, { task: ScheduledTask; row: WorkerRecord }>();
  const lease = new LeaderLease(c.redis, c.keys.lease('beat'), c.settings.BEAT_LEASE_MS, (leader) =>
    c.logger.info(leader ? 'beat: this process is the leader and fires schedules' : 'beat: standing by (not the leader)'));

  const fire = async (row: WorkerRecord, scheduled: Date): Promise<void> => {
    if (!lease.isLeader) return;
    const at = new Date(Math.floor(scheduled.getTime() / 1000) * 1000);
    try {
      await c.dispatcher.enqueue(row.id, {}, { trigger: 'cron', jobId: fireJobId(row.id, at), at });
      await c.redis.set(c.keys.nextFire(row.id), nextFire(row.cron!, row.timezone!, at).toISOString());
    } catch (err) {
      c.logger.error(`beat: could not enqueue ${row.id} for ${at.toISOString()}: ${(err as Error).message}`, { workerId: row.id });
    }
  };

  const reload = async (workerId?: string): Promise<void> => {
    const ids = workerId ? [workerId] : c.registry.schedules.map((s) => s.id);
    const rows = await c.mirror.loadWorkers(ids);
    for (const id of ids) {
      const current = tasks.get(id);
      const row = rows.find((r) => r.id === id);
      const wanted = row && row.kind === 'schedule' && row.enabled && row.cron && c.registry.schedule(id);
      if (current && (!wanted || current.row.cron !== row!.cron || current.row.timezone !== row!.timezone)) {
        await current.task.destroy();
        tasks.delete(id);
      }
      if (wanted && !tasks.has(id)) {
        const task = cron.schedule(row!.cron!, (ctx) => fire(row!, ctx.date), { timezone: row!.timezone ?? c.settings.DEFAULT_TIMEZONE, name: id, suppressMissedWarning: true });
        tasks.set(id, { task, row: row! });
        await c.redis.set(c.keys.nextFire(id), nextFire(row!.cron!, row!.timezone ?? c.settings.DEFAULT_TIMEZONE).toISOString());
      }
      if (!wanted) await c.redis.del(c.keys.nextFire(id));
    }
  };

  await lease.start();
  await reload();
  const sub = c.redisFactory.create('beat:events-sub', { blocking: true });
  await EventBus.subscribe(sub, c.keys.events, (e) => {
    if (e.type === 'schedule.changed') void reload((e.data as { workerId: string }).workerId);
  });
  c.logger.info(`beat scheduling ${tasks.size} schedule(s)`);
  return {
    lease,
    reload,
    async stop() {
      for (const { task } of tasks.values()) await task.destroy();
      tasks.clear();
      await lease.stop();
    },
  };
}
