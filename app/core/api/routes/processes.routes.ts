/** GET /processes: API, worker and beat processes online (heartbeats in Redis), and GET /me: the caller's token. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { listProcesses } from '../../services/process-heartbeat';
import { errors, IsoDate } from '../schemas/common';

const ProcessItem = Type.Object({
  id: Type.String({ description: 'host:pid:role:random' }),
  role: Type.String({ description: 'api | worker | beat (dev mode runs all three in one pid)' }),
  host: Type.String(), pid: Type.Integer(), version: Type.String({ description: 'Sluice version (package.json)' }),
  startedAt: IsoDate, lastHeartbeatAt: IsoDate,
  queues: Type.Array(Type.String(), { description: 'Queues consumed (worker) or schedules fired (beat)' }),
  listeners: Type.Array(Type.String(), { description: 'Listeners connected or reconnecting in this process' }),
  jobsRunning: Type.Integer(),
  extra: Type.Record(Type.String(), Type.Unknown(), { description: 'Role facts, e.g. { leader: true } for the beat that fires' }),
});

export function processesRoutes(ctx: ApiContext) {
  const ttlMs = ctx.c.settings.PROCESS_TTL_MS;
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/processes', {
      schema: {
        tags: ['observability'], summary: `Processes online: each heartbeats every PROCESS_HEARTBEAT_MS; one silent for PROCESS_TTL_MS (${ttlMs} ms) is gone`,
        response: { 200: Type.Object({ items: Type.Array(ProcessItem), ttlMs: Type.Integer() }), ...errors() },
      },
    }, async () => ({ items: await listProcesses(ctx.c.redis, ctx.c.keys, ttlMs), ttlMs }));

    app.get('/me', {
      schema: {
        tags: ['auth'], summary: "The caller's token name and role (a dashboard hides admin actions from read tokens)",
        response: { 200: Type.Object({ name: Type.String(), role: Type.String({ description: 'read | admin' }) }), ...errors() },
      },
    }, async (req) => ({ name: req.principal!.name, role: req.principal!.role }));
  };
}
