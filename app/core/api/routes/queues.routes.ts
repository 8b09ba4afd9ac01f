/** GET /queues: job counts of every schedule worker's Bull queue. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { errors } from '../schemas/common';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

const QueueCounts = Type.Object({
  workerId: Type.String(),
  ...Object.fromEntries(QUEUE_STATES.map((s) => [s, Type.Integer()])),
});

export interface QueueCountsView {
  workerId: string;
  [state: string]: number | string;
}

export async function queueCounts(ctx: ApiContext): Promise<QueueCountsView[]> {
  const ids = ctx.c.registry.schedules.map((s) => s.id).sort();
  return Promise.all(ids.map(async (workerId) => {
    const counts = await ctx.c.queues.counts(workerId);
    return { workerId, ...Object.fromEntries(QUEUE_STATES.map((s) => [s, counts[s] ?? 0])) };
  }));
}

export function queuesRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/queues', {
      schema: { tags: ['queues'], summary: 'Waiting, active, delayed, failed, completed and paused jobs per queue', response: { 200: Type.Object({ items: Type.Array(QueueCounts) }), ...errors() } },
    }, async () => ({ items: await queueCounts(ctx) }));
  };
}
