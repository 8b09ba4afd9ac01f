/**
 * Stop, start and restart: requests delivered over the control channel to the process that owns the run or the
 * listener. A schedule worker's stop cancels its running execution(s) — the owning worker aborts ctx.signal and
 * records `cancelled`. Listener actions follow the listener contract (live `state`: connected | reconnecting |
 * stopped | disabled).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { errors, NoBody, WorkerParams } from '../schemas/common';
import { ControlResult } from '../schemas/workers';
import { optionalBody } from './worker-control.routes';
import type { WorkerDefinition } from '../../registry/worker-registry';
import { kindOf } from '../../kinds';

type ListenerAction = 'start' | 'stop' | 'restart';

/** Supervised kinds (listeners, stream consumers) are started and stopped; queue kinds have runs to cancel. */
const isSupervised = (def: WorkerDefinition): boolean => kindOf(def).actions.includes('start');

/** Refuses listener actions that make no sense in the current live state (409). */
function assertListenerAction(def: WorkerDefinition, action: ListenerAction, live: Record<string, string>): void {
  const kind = kindOf(def);
  const active = new Set(kind.activeStates ?? []);
  const state = live.state || kind.idleState;
  const disabled = live.enabled === 'false' || state === 'disabled';
  if (action !== 'stop' && disabled) throw new ApiErrors.WorkerDisabled(def.id);
  if (action === 'start' && active.has(state)) throw new ApiErrors.ListenerRunning(def.id, state);
  if (action === 'stop' && !active.has(state)) throw new ApiErrors.ListenerStopped(def.id, state);
}

export function runControlRoutes(ctx: ApiContext) {
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const schema = (summary: string) => ({
      tags: ['control'], summary, params: WorkerParams, body: NoBody, response: { 202: ControlResult, ...errors(400, 403, 404, 409, 503) },
    });

    const listenerAction = async (def: WorkerDefinition, action: ListenerAction) => {
      assertListenerAction(def, action, await ctx.c.mirror.liveState(def.id));
      const deliveredTo = await ctx.control.send({ type: 'listener', workerId: def.id, action });
      if (deliveredTo === 0) throw new ApiErrors.NoWorkerListening();
      return { workerId: def.id, action, executionIds: [], deliveredTo };
    };

    app.post('/workers/:id/stop', { preValidation: optionalBody, schema: schema('Cancel the running execution(s) of a schedule worker, or stop a listener') }, async (req, reply) => {
      const def = ctx.worker(req.params.id);
      if (isSupervised(def)) return reply.code(202).send(await listenerAction(def, 'stop'));
      const running = await ctx.views.running(def.id);
      if (!running.length) throw new ApiErrors.NothingRunning(def.id);
      let deliveredTo = 0;
      for (const executionId of running) {
        deliveredTo = Math.max(deliveredTo, await ctx.control.send({ type: 'cancel', executionId, reason: `stopped through the API by ${req.principal?.name ?? 'unknown'}` }));
      }
      if (deliveredTo === 0) throw new ApiErrors.NoWorkerListening();
      return reply.code(202).send({ workerId: def.id, action: 'stop', executionIds: running, deliveredTo });
    });

    for (const action of ['start', 'restart'] as const) {
      app.post(`/workers/:id/${action}`, { preValidation: optionalBody, schema: schema(`${action === 'start' ? 'Start' : 'Restart'} a listener`) }, async (req, reply) => {
        const def = ctx.worker(req.params.id);
        if (!isSupervised(def)) throw new ApiErrors.NotAListener(def.id);
        return reply.code(202).send(await listenerAction(def, action));
      });
    }
  };
}
