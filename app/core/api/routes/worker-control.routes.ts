/** Runtime control of schedules: run now, enable/disable (schedules and listeners), change cron/timezone. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertCron, isValidTimezone } from '../../registry/cron';
import { kindOf } from '../../kinds';
import type { ApiContext } from '../api-context';
import { ApiErrors, fieldError } from '../errors';
import { errors, NoBody, WorkerParams } from '../schemas/common';
import { Accepted, ScheduleBody, TriggerBody } from '../schemas/workers';

/** Action routes take no body; an absent one counts as `{}` so bodyless POSTs validate. */
export async function optionalBody(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

export function workerControlRoutes(ctx: ApiContext) {
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const { c } = ctx;

    app.post('/workers/:id/trigger', {
      preValidation: optionalBody,
      schema: {
        tags: ['control'], summary: 'Run a schedule worker now with params', params: WorkerParams, body: TriggerBody,
        response: { 202: Accepted, ...errors(400, 403, 404, 409, 413) },
      },
    }, async (req, reply) => {
      const def = ctx.worker(req.params.id);
      if (!kindOf(def).actions.includes('trigger')) throw new ApiErrors.NotASchedule(def.id, def.kind);
      const executionId = await c.dispatcher.trigger(def.id, req.body.params ?? {});
      return reply.code(202).send({ executionId });
    });

    for (const enabled of [true, false]) {
      app.post(`/workers/:id/${enabled ? 'enable' : 'disable'}`, {
        preValidation: optionalBody,
        schema: {
          tags: ['control'], summary: `${enabled ? 'Enable' : 'Disable'} a schedule or listener (durable; running beats and workers follow within a second)`,
          params: WorkerParams, body: NoBody, response: { 200: Type.Ref('Worker'), ...errors(400, 403, 404) },
        },
      }, async (req) => {
        const def = ctx.worker(req.params.id);
        // Durable flag + live `enabled` + schedule.changed: beats reload the schedule, worker processes stop or start
        // the listener, and cron fires already queued for a disabled worker are recorded skipped.
        if (!(await c.mirror.setEnabled(def.id, enabled))) throw new ApiErrors.WorkerNotFound(def.id);
        return ctx.views.one(def.id);
      });
    }

    app.put('/workers/:id/schedule', {
      schema: {
        tags: ['control'], summary: 'Change the cron and/or timezone of a schedule worker; running beats reload it',
        params: WorkerParams, body: ScheduleBody, response: { 200: Type.Ref('Worker'), ...errors(400, 403, 404, 409, 413) },
      },
    }, async (req) => {
      const def = c.registry.schedule(ctx.worker(req.params.id).id);
      if (!def) throw new ApiErrors.NotASchedule(req.params.id, ctx.worker(req.params.id).kind);
      const [row] = await c.mirror.loadWorkers([def.id]);
      const timezone = req.body.timezone ?? row?.timezone ?? def.timezone;
      if (!isValidTimezone(timezone)) throw fieldError.timezone(timezone);
      const cron = req.body.cron !== undefined ? req.body.cron : row?.cron ?? null;
      if (cron !== null) {
        try {
          assertCron(cron, timezone);
        } catch (err) {
          throw fieldError.cron(cron, (err as Error).message);
        }
      }
      if (!(await c.mirror.setSchedule(def.id, cron, timezone))) throw new ApiErrors.WorkerNotFound(def.id);
      return ctx.views.one(def.id);
    });
  };
}
