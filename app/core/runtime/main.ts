/**
 * Process entries: build the container, start the role(s), stop gracefully on SIGTERM/SIGINT.
 *
 * Each role's module is imported only when the process runs that role: a worker process never loads Fastify,
 * its plugins, Swagger, Bull Board or the dashboard (about 300 modules and 15–20 MB of resident memory), and an
 * API process never loads node-cron or the dev-mode helpers.
 */
import { loadDotEnv } from '../../config/dotenv';
import { Container } from './container';
import { installCrashGuards, installShutdown } from './lifecycle';
import type { LoadedDevHook } from './dev-hooks';
import { pluginApis } from '../plugins';
import { PluginLifecycle } from '../plugins/lifecycle';
import path from 'node:path';

export type RoleName = 'api' | 'worker' | 'beat' | 'dev';

export async function runRole(role: RoleName): Promise<void> {
  loadDotEnv();
  const token = role === 'dev' ? (await import('./dev.js')).applyDevDefaults() : null;
  const c = new Container({ role });
  c.configureMongo(role === 'dev');
  installCrashGuards(c.logger);
  const stops: Array<() => Promise<void>> = [];
  installShutdown(c.logger, async () => {
    for (const stop of stops.reverse()) await stop();
    await c.close();
  });
  const plugins = new PluginLifecycle(c);
  try {
    let hooks: LoadedDevHook[] = [];
    if (role === 'dev') {
      await c.init();
      hooks = await (await import('./dev-hooks.js')).runDevHooks(c);
      stops.push(async () => {
        for (const h of hooks) await h.close?.();
      });
    }
    if (role === 'worker' || role === 'dev') {
      const { startWorkerRole } = await import('./worker.js');
      stops.push((await startWorkerRole(c, { plugins })).stop);
    }
    if (role === 'beat' || role === 'dev') {
      const { startBeatRole } = await import('./beat.js');
      stops.push((await startBeatRole(c, { seed: role === 'beat' })).stop);
    }
    let dashboard = '';
    if (role === 'api' || role === 'dev') {
      const { startApiRole } = await import('./api.js');
      const api = await startApiRole(c, { seed: role === 'api', plugins });
      stops.push(api.stop);
      dashboard = `${api.boundUrl}/dashboard`;
    }
    for (const h of hooks) await h.afterStart?.(pluginApis(c).get(h.folder));
    if (token) {
      // The one secret a human must read: straight to this terminal, never through the logger, which masks every
      // token value (and would otherwise put it into log files and execution_logs).
      process.stdout.write(`dev mode: API_TOKENS is empty, so this run accepts the admin token ${token.token} (${token.created ? 'new, kept' : 'kept'} in ${path.relative(process.cwd(), token.file)}) — dashboard: ${dashboard}\n`);
    }
  } catch (err) {
    c.logger.error(`${role} failed to start: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
    await c.close(2_000).catch(() => undefined);
    process.exit(1);
  }
}
