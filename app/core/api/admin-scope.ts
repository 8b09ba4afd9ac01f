/**
 * The authenticated part of the API, in its own encapsulated scope: rate limit → token check on every route
 * (plugin routes and the queue board included), then the control routes, /ws and /metrics. Health, docs and the
 * dashboard page live outside it.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../runtime/container';
import { createApiContext } from './api-context';
import { installAuth } from './auth/auth.hook';
import { TokenStore } from './auth/tokens';
import { BOARD_PATH, mountBullBoard } from './bull-board';
import { EventFeed } from './events/event-feed';
import { ApiMetrics } from './events/metrics';
import { WsRelay } from './events/ws-relay';
import { mountPluginRoutes, type LoadedPluginRoutes } from './plugin-routes';
import { registerRateLimit } from './rate-limit';
import { configsRoutes } from './routes/configs.routes';
import { executionsRoutes } from './routes/executions.routes';
import { logsRoutes } from './routes/logs.routes';
import { metricsRoutes } from './routes/metrics.routes';
import { queuesRoutes } from './routes/queues.routes';
import { runControlRoutes } from './routes/run-control.routes';
import { streamsRoutes } from './routes/streams.routes';
import { workerControlRoutes } from './routes/worker-control.routes';
import { workersRoutes } from './routes/workers.routes';
import { wsRoutes } from './routes/ws.routes';

export function adminScope(c: Container, plugins: readonly LoadedPluginRoutes[] = []) {
  return async (app: FastifyInstance): Promise<void> => {
    const tokens = new TokenStore(c.settings.API_TOKENS);
    if (!tokens.size) c.logger.warn('API_TOKENS is empty: every control route answers 401 until tokens are configured', { stored: false });
    await registerRateLimit(app, c);
    installAuth(app, tokens, BOARD_PATH);
    app.addHook('onRoute', (route) => {
      // @fastify/websocket hides its routes from OpenAPI; /ws is part of the documented API.
      if (route.websocket && route.schema) route.schema.hide = false;
      if (route.schema && !route.schema.hide) route.schema = { ...route.schema, security: [{ bearer: [] }] };
    });

    const ctx = createApiContext(c);
    const feed = new EventFeed(c.redisFactory.create('api:events-sub', { blocking: true }), c.keys.events, (err) =>
      c.logger.error(`API event listener failed: ${err instanceof Error ? err.message : String(err)}`, { stored: false }));
    await feed.start();
    let metrics: ApiMetrics | null = null;
    const relay = new WsRelay(feed, {
      heartbeatMs: c.settings.API_WS_HEARTBEAT_MS, maxBufferedBytes: c.settings.API_WS_MAX_BUFFERED_BYTES,
      onDrop: (reason) => metrics?.wsDropped.inc({ reason }),
    });
    metrics = new ApiMetrics(ctx, feed, () => relay.size);
    relay.start();
    app.addHook('preClose', async () => relay.stop());
    app.addHook('onClose', async () => feed.stop());

    await app.register(workersRoutes(ctx));
    await app.register(workerControlRoutes(ctx));
    await app.register(runControlRoutes(ctx));
    await app.register(streamsRoutes(ctx));
    await app.register(executionsRoutes(ctx));
    await app.register(logsRoutes(ctx));
    await app.register(configsRoutes(ctx));
    await app.register(queuesRoutes(ctx));
    await app.register(metricsRoutes(metrics));
    await app.register(wsRoutes(relay));
    await mountBullBoard(app, c);
    await mountPluginRoutes(app, c, plugins);
  };
}
