/** @bull-board UI over every schedule worker's queue, mounted inside the admin scope (admin tokens only). */
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Container } from '../runtime/container';

export const BOARD_PATH = '/admin/queues';

export async function mountBullBoard(app: FastifyInstance, c: Container): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: c.registry.schedules.map((s) => new BullAdapter(c.queues.get(s.id))), serverAdapter });
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      // The board is a browser UI: token from ?token= (then an HttpOnly cookie), admin role even for reads,
      // and its own inline scripts (helmet's CSP would block them).
      route.config = { ...(route.config ?? {}), tokenFrom: 'board', adminOnly: true, helmet: { contentSecurityPolicy: false } } as typeof route.config;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}
