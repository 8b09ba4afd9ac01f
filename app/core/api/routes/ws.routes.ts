/**
 * GET /ws: the live event stream. Authenticate with `Authorization: Bearer`, or from a browser with the
 * subprotocols `['sluice.v1', 'bearer.<token>']` (the server answers `sluice.v1`), or `?token=`.
 */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { listParam, type WsRelay } from '../events/ws-relay';
import { errors } from '../schemas/common';
import { ApiErrors } from '../errors';

export const WS_PROTOCOL = 'sluice.v1';

/** Picks the application subprotocol, never the token entry (it would be echoed back in the response). */
export function selectProtocol(protocols: Set<string>): string | false {
  if (protocols.has(WS_PROTOCOL)) return WS_PROTOCOL;
  const other = [...protocols].find((p) => !p.startsWith('bearer.'));
  return other ?? false;
}

export function wsRoutes(relay: WsRelay) {
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.route({
      method: 'GET',
      url: '/ws',
      config: { tokenFrom: 'websocket' },
      schema: {
        tags: ['events'],
        summary: 'WebSocket stream of events (one JSON text per message); see docs/api.md for payloads',
        description: 'Upgrade to a WebSocket. Auth: Authorization header, or subprotocols [sluice.v1, bearer.<token>], or ?token=. ' +
          'The first message is {"type":"ws.ready"}; send {"type":"ping"} for an application-level {"type":"pong"}. A plain GET gets 426.',
        querystring: Type.Object({
          workerId: Type.Optional(Type.String({ maxLength: 4096, description: 'Comma list of worker ids; only events about them' })),
          type: Type.Optional(Type.String({ maxLength: 1024, description: 'Comma list of event types or prefix patterns (execution.*)' })),
          token: Type.Optional(Type.String({ maxLength: 1024, description: 'API token, for clients that can set neither a header nor a subprotocol' })),
        }, { additionalProperties: false }),
        response: { 101: Type.Null({ description: 'Switching protocols' }), ...errors(400, 426) },
      },
      // A request without the upgrade headers: say what is missing (in the table's shape) instead of an empty 404.
      handler: async () => {
        throw new ApiErrors.UpgradeRequired();
      },
      wsHandler: (socket, req) => {
        relay.add(socket, { workerIds: listParam(req.query.workerId), types: listParam(req.query.type) });
      },
    });
  };
}
