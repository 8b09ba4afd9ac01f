/**
 * The built-in dashboard: one static page, a script and a stylesheet (no build step), public like /docs. The page
 * asks for a token and calls the same authenticated API and /ws.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const DIR = path.join(__dirname, '..', 'dashboard');

const FILES = [
  { url: '/dashboard', file: 'index.html', type: 'text/html; charset=utf-8', summary: 'The admin dashboard page' },
  { url: '/dashboard/app.js', file: 'app.js', type: 'application/javascript; charset=utf-8', summary: 'Dashboard script' },
  { url: '/dashboard/resources.js', file: 'resources.js', type: 'application/javascript; charset=utf-8', summary: 'Dashboard resources panel (uses /plugins/resources/client.js)' },
  { url: '/dashboard/app.css', file: 'app.css', type: 'text/css; charset=utf-8', summary: 'Dashboard stylesheet' },
] as const;

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  for (const f of FILES) {
    // Read once at boot: the files are part of the build and small.
    const body = fs.readFileSync(path.join(DIR, f.file), 'utf8');
    app.get(f.url, {
      schema: { tags: ['dashboard'], summary: f.summary, security: [], response: { 200: Type.String() } },
    }, async (_req, reply) => reply.type(f.type).header('cache-control', 'no-cache').send(body));
  }
}
