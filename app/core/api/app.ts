/**
 * The Fastify application. Public: /health, /ready, /docs (OpenAPI UI and JSON) and the dashboard's static files.
 * Everything else lives in the authenticated admin scope (admin-scope.ts).
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { Container } from '../runtime/container';
import { adminScope } from './admin-scope';
import { loadPluginRoutes } from './plugin-routes';
import { firstSegment, publicScope } from './public-scope';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './error-handler';
import { installBodyParsers } from './body-parsers';
import { healthRoutes, type ReadinessProbe } from './health.routes';
import { dashboardRoutes } from './routes/dashboard.routes';
import { selectProtocol } from './routes/ws.routes';
import { registerSecurityHeaders } from './security';
import { ErrorBody } from './schemas/common';
import { Execution, LogLine, Worker } from './schemas/workers';
import { ConfigRow } from './routes/configs.routes';
import { formatSchemaErrors, validatorCompiler } from './validation';

export interface ApiAppOptions {
  /** Readiness checks beyond MySQL, Redis and the @Database classes. @defaultValue none */
  probes?: Map<string, ReadinessProbe>;
  /** Called for every route as it is registered (tests enumerate routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Sluice control API', version: '0.1.0', description: 'Workers, schedules, executions, logs, configuration and live events. Guide: docs/api.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

/** API_TRUST_PROXY → Fastify's trustProxy. Off by default: a client could otherwise pick its own address. */
export function trustProxyOption(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const v = value.trim();
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return (_address: string, hop: number) => hop < Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export async function buildApiApp(c: Container, opts: ApiAppOptions = {}): Promise<FastifyInstance> {
  const limits = { bodyLimit: c.settings.API_BODY_LIMIT_BYTES, maxParamLength: c.settings.API_MAX_PARAM_LENGTH };
  const app = Fastify({
    logger: false, bodyLimit: limits.bodyLimit, routerOptions: { maxParamLength: limits.maxParamLength }, trustProxy: trustProxyOption(c.settings.API_TRUST_PROXY), exposeHeadRoutes: false,
    schemaErrorFormatter: formatSchemaErrors,
    // Errors Fastify answers itself (router, HTTP parser) get the table's shape too.
    frameworkErrors: frameworkErrors(limits), clientErrorHandler: clientErrorHandler(limits),
    // Redis pub/sub and the queue board may hold connections open; closing must not wait for idle keep-alives.
    forceCloseConnections: true,
  });
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  const taken = new Set<string>();
  app.addHook('onRoute', (route) => void taken.add(firstSegment(route.url)));
  const plugins = await loadPluginRoutes(c.settings.WORKERS_DIR);
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app, c.logger, limits);
  installBodyParsers(app, c.settings.JSON_MAX_DEPTH);
  for (const schema of [ErrorBody, Execution, LogLine, Worker, ConfigRow]) app.addSchema(schema);
  await registerSecurityHeaders(app, c.settings.API_CORS_ORIGINS);
  await app.register(websocket, { options: { maxPayload: 4_096, handleProtocols: (protocols) => selectProtocol(protocols) } });
  await registerDocs(app);
  await app.register(healthRoutes(c, opts.probes ?? new Map()));
  await app.register(dashboardRoutes);
  await app.register(adminScope(c, plugins));
  await app.register(publicScope(c, plugins, taken));
  return app;
}
