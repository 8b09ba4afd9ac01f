/**
 * The scheduled half of `refresh` (resource.ts): every minute, reloads each resource whose own `refresh.cron` fired
 * since its last check, bumping only those whose content changed. With `{ name }` it refreshes that one resource now.
 * The last check per resource is kept in Redis, so a fire is handled once whichever worker process runs the task.
 */
import { CronExpressionParser } from 'cron-parser';
import { Type, type Static } from '@sinclair/typebox';
import { NonRetryableError, Schedule, ScheduleWorker, type RunContext } from '../../app';
import type { ResourceService } from './resource-service';
import { workerResources } from './runtime';
import './resources.database';
import './settings';

const Params = Type.Object({ name: Type.Optional(Type.String({ description: 'refresh only this resource, now' })) }, { additionalProperties: false });
type Params = Static<typeof Params>;

/** Whether `cron` fired in (since, now]. */
export function firedSince(cron: string, timezone: string | undefined, since: Date, now: Date): boolean {
  const next = CronExpressionParser.parse(cron, { currentDate: since, tz: timezone }).next().toDate();
  return next.getTime() <= now.getTime();
}

async function due(service: ResourceService, now: Date): Promise<string[]> {
  const names: string[] = [];
  for (const def of service.catalog.list()) {
    if (!def.refresh) continue;
    const last = await service.lastRefreshCheck(def.name, now);
    if (last && firedSince(def.refresh.cron, def.refresh.timezone, last, now)) names.push(def.name);
  }
  return names;
}

@Schedule({ id: 'resources-refresh', cron: '* * * * *', description: 'Resources: reload those whose refresh schedule is due (bump only on change)', overlap: 'skip', history: 'failures', timeoutMs: 600_000, params: Params })
export class ResourcesRefreshWorker extends ScheduleWorker<Params> {
  async run(ctx: RunContext<Params>): Promise<{ refreshed: string[]; bumped: string[] }> {
    const service = await workerResources();
    if (ctx.params.name && !service.catalog.get(ctx.params.name)) throw new NonRetryableError(`no resource named "${ctx.params.name}"`);
    const names = ctx.params.name ? [ctx.params.name] : await due(service, new Date());
    const bumped: string[] = [];
    for (const [i, name] of names.entries()) {
      ctx.signal.throwIfAborted();
      const out = await service.refresh(name, 'schedule');
      if (out.changed) bumped.push(name);
      ctx.log.info(`resource ${name}: ${out.changed ? `bumped to version ${out.row.version}` : `unchanged at version ${out.row.version}`}`);
      await ctx.progress({ done: i + 1, total: names.length });
    }
    return { refreshed: names, bumped };
  }
}
