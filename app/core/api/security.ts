/** Helmet headers everywhere, and CORS only for the origins API_CORS_ORIGINS lists (off when empty). */
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';

export async function registerSecurityHeaders(app: FastifyInstance, corsOrigins: string): Promise<void> {
  await app.register(helmet, { global: true });
  const origins = corsOrigins.split(',').map((s) => s.trim()).filter(Boolean);
  if (origins.length) {
    await app.register(cors, { origin: origins, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], maxAge: 600 });
  }
}
