/**
 * The built-in dashboard: a static page, its ES modules, stylesheets and the vendored chart library (no build
 * step), public like /docs. The page asks for a token and calls the same authenticated API and /ws.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const DIR = path.join(__dirname, '..', 'dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
};

/** Every servable file of the dashboard folder, read once at boot (they are part of the build and small). */
function dashboardFiles(): Array<{ url: string; type: string; body: string }> {
  return fs.readdirSync(DIR).filter((f) => TYPES[path.extname(f)]).sort().map((f) => ({
    url: f === 'index.html' ? '/dashboard' : `/dashboard/${f}`,
    type: TYPES[path.extname(f)],
    body: fs.readFileSync(path.join(DIR, f), 'utf8'),
  }));
}

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  for (const f of dashboardFiles()) {
    app.get(f.url, {
      schema: { tags: ['dashboard'], summary: f.url === '/dashboard' ? 'The admin dashboard page' : `Dashboard file ${path.basename(f.url)}`, security: [], response: { 200: Type.String() } },
    }, async (_req, reply) => reply.type(f.type).header('cache-control', 'no-cache').send(f.body));
  }
  // The page loads its files relative to /dashboard: send /dashboard/ there (relative, so a path prefix survives).
  app.get('/dashboard/', {
    schema: { tags: ['dashboard'], summary: 'Redirects to /dashboard', security: [], response: { 308: Type.Null({ description: 'Location: ../dashboard' }) } },
  }, async (_req, reply) => reply.redirect('../dashboard', 308));
}
