/** @bull-board UI over every schedule worker's queue, mounted inside the admin scope (admin tokens only). */
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import type { Container } from '../runtime/container';
import { bodyOfError, tableBodyFor } from './error-handler';

export const BOARD_PATH = '/admin/queues';

export async function mountBullBoard(app: FastifyInstance, c: Container): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const queues = c.registry.schedules.map((s) => {
    const adapter = new BullAdapter(c.queues.get(s.id));
    // What the board shows of a job is what every other view shows: redacted and capped.
    adapter.setFormatter('data', (data: unknown) => c.redactor.value(data));
    adapter.setFormatter('returnValue', (value: unknown) => c.redactor.value(value));
    return adapter;
  });
  createBullBoard({ queues, serverAdapter });
  // The board's own handler answers every error with 500 (a malformed body too): ours maps them onto the table.
  const limits = { bodyLimit: c.settings.API_BODY_LIMIT_BYTES, maxParamLength: c.settings.API_MAX_PARAM_LENGTH };
  serverAdapter.setErrorHandler((error: Error) => {
    const body = bodyOfError(error, limits);
    if (body.statusCode >= 500) c.logger.error(`queue board: ${error.message}`, { stack: error.stack, stored: false });
    return { status: body.statusCode as 500, body };
  });
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      // The board is a browser UI: token from ?token= (then an HttpOnly cookie), admin role even for reads,
      // and its own inline scripts (helmet's CSP would block them).
      route.config = { ...(route.config ?? {}), tokenFrom: 'board', adminOnly: true, helmet: { contentSecurityPolicy: false } } as typeof route.config;
    });
    scope.addHook('onSend', async (_req, reply, payload) => inTableShape(reply, payload));
    // Only the board reads a cookie (its token) and sets one: parsing stays out of every other request.
    await scope.register(cookie);
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}

/** The board's API answers its errors in its own shape (`{"error":{"key":…}}`): rewritten into the table's. */
function inTableShape(reply: FastifyReply, payload: unknown): unknown {
  if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
  let body = null as { code?: unknown; message?: unknown; error?: unknown } | null;
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    // not JSON: a page or text from the board
  }
  if (typeof body?.code === 'string' && body.code.startsWith('SLUICE_')) return payload;
  const inner = body?.error as { key?: unknown } | string | undefined;
  const message = typeof inner === 'object' && typeof inner?.key === 'string' ? inner.key : typeof body?.message === 'string' ? body.message : typeof inner === 'string' ? inner : 'queue board error';
  void reply.type('application/json; charset=utf-8');
  const table = tableBodyFor(reply.statusCode, message);
  void reply.code(table.statusCode);
  return JSON.stringify(table);
}
