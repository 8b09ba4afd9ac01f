/**
 * GET /stats: throughput by status and p50/p95 duration and queue wait per time bucket (the dashboard's charts),
 * and the periodic rollup of finished hours that keeps it fast over millions of runs.
 */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { fieldError } from '../errors';
import { defaultStep, queryStats } from '../data/stats.query';
import { HistoryRetention } from '../data/history-retention';
import { errors, IsoDate, WorkerId } from '../schemas/common';

const ms = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });

const StatsBucket = Type.Object({
  start: IsoDate,
  total: Type.Integer({ description: 'Runs queued in this bucket' }),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'Runs by status' }),
  durationP50Ms: ms('Median run time of the finished runs (skipped ones left out); ±5 %'),
  durationP95Ms: ms('95th percentile run time; ±5 %'),
  waitP50Ms: ms('Median time from queued to started; ±5 %'),
  waitP95Ms: ms('95th percentile time from queued to started; ±5 %'),
});

const Stats = Type.Object({
  workerId: Type.Union([Type.String(), Type.Null()], { description: 'null = every worker' }),
  from: IsoDate, to: IsoDate, stepSeconds: Type.Integer(),
  statuses: Type.Array(Type.String(), { description: 'Statuses present in the range' }),
  buckets: Type.Array(StatsBucket, { description: 'One per step from `from`, empty ones included; runs are counted in the bucket they were queued in' }),
});

/**
 * Runs `work` every `every` ms in this API process, one at a time; a failure is logged as `what` and tried again at
 * the next tick. The loop ends (and a run under way is waited for) when the app closes.
 */
function every(app: FastifyInstance, ctx: ApiContext, intervalMs: number, what: string, work: () => Promise<unknown>): void {
  if (intervalMs <= 0) return;
  let running: Promise<unknown> | null = null;
  const tick = (): void => {
    if (running) return;
    running = work()
      .catch((err: unknown) => ctx.c.logger.warn(`${what} failed (tried again in ${intervalMs} ms): ${err instanceof Error ? err.message : String(err)}`, { stored: false }))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}

/** Rolls up due hours of every worker every STATS_SEAL_INTERVAL_MS. */
function startSealer(ctx: ApiContext, app: FastifyInstance): void {
  const { STATS_SEAL_INTERVAL_MS: interval, STATS_SEAL_LOOKBACK_HOURS: lookback } = ctx.c.settings;
  every(app, ctx, interval, 'stats rollup', () => ctx.rollup.seal(ctx.views.ids(), Date.now() - lookback * 3_600_000, Date.now()));
}

/**
 * Every RETENTION_INTERVAL_MS one API process of the deployment (a Redis key taken with NX for the interval)
 * deletes the history past its retention, after the rollup of the hours it deletes (history-retention.ts).
 */
function startRetention(ctx: ApiContext, app: FastifyInstance): void {
  const s = ctx.c.settings;
  const retention = new HistoryRetention(ctx.c.core.pool, ctx.rollup, {
    executionDays: s.EXECUTION_RETENTION_DAYS, logDays: s.EXECUTION_LOG_RETENTION_DAYS, auditDays: s.AUDIT_RETENTION_DAYS, batch: s.RETENTION_BATCH,
  });
  every(app, ctx, s.RETENTION_INTERVAL_MS, 'retention sweep', async () => {
    if ((await ctx.c.redis.set(ctx.c.keys.lease('retention'), String(process.pid), 'PX', s.RETENTION_INTERVAL_MS, 'NX')) !== 'OK') return;
    const r = await retention.sweep();
    if (r.executions + r.cronFires + r.logs + r.audit > 0) {
      ctx.c.logger.info(`retention: deleted ${r.executions} execution(s), ${r.cronFires} cron fire claim(s), ${r.logs} log line(s) and ${r.audit} audit row(s) past their retention`, { stored: false, ...r });
    }
  });
}

export function statsRoutes(ctx: ApiContext) {
  const maxBuckets = ctx.c.settings.STATS_MAX_BUCKETS;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    startSealer(ctx, fastify);
    startRetention(ctx, fastify);
    app.get('/stats', {
      schema: {
        tags: ['observability'], summary: 'Runs by status, p50/p95 duration and queue wait per time bucket (from MySQL)',
        querystring: Type.Object({
          workerId: Type.Optional(WorkerId),
          from: Type.Optional(IsoDate),
          to: Type.Optional(IsoDate),
          step: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'Bucket width in seconds (default: a round step giving at most ~120 buckets)' })),
        }, { additionalProperties: false }),
        response: { 200: Stats, ...errors(400, 404) },
      },
    }, async (req) => {
      const q = req.query;
      const workerIds = q.workerId ? [ctx.worker(q.workerId).id] : ctx.views.ids();
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
      if (from >= to) throw fieldError.validation('querystring/from must be before to', 'querystring/from');
      const range = (to.getTime() - from.getTime()) / 1000;
      const stepSeconds = q.step ?? defaultStep(range);
      if (range / stepSeconds > maxBuckets) {
        throw fieldError.validation(`querystring/step gives ${Math.ceil(range / stepSeconds)} buckets; at most ${maxBuckets} (STATS_MAX_BUCKETS): widen the step or narrow the range`, 'querystring/step');
      }
      const view = await queryStats(ctx.c.core.pool, { workerIds, from, to, stepSeconds }, ctx.rollup);
      return { workerId: q.workerId ?? null, ...view };
    });
  };
}
