/** Process entries: build the container, start the role(s), stop gracefully on SIGTERM/SIGINT. */
import { loadDotEnv } from '../../config/dotenv';
import { Container } from './container';
import { startApiRole } from './api';
import { startBeatRole } from './beat';
import { startWorkerRole } from './worker';
import { installCrashGuards, installShutdown } from './lifecycle';
import { runDevHooks, type LoadedDevHook } from './dev-hooks';
import { pluginApis } from '../plugins';
import { PluginLifecycle } from '../plugins/lifecycle';
import { applyDevDefaults } from './dev';
import path from 'node:path';

export type RoleName = 'api' | 'worker' | 'beat' | 'dev';

export async function runRole(role: RoleName): Promise<void> {
  loadDotEnv();
  const token = role === 'dev' ? applyDevDefaults() : null;
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
      hooks = await runDevHooks(c);
      stops.push(async () => {
        for (const h of hooks) await h.close?.();
      });
    }
    if (role === 'worker' || role === 'dev') stops.push((await startWorkerRole(c, { plugins })).stop);
    if (role === 'beat' || role === 'dev') stops.push((await startBeatRole(c, { seed: role === 'beat' })).stop);
    let dashboard = '';
    if (role === 'api' || role === 'dev') {
      const api = await startApiRole(c, { seed: role === 'api', plugins });
      stops.push(api.stop);
      dashboard = `${api.boundUrl}/dashboard`;
    }
    for (const h of hooks) await h.afterStart?.(pluginApis(c).get(h.folder));
    if (token) c.logger.warn(`dev mode: API_TOKENS is empty, so this run accepts the admin token ${token.token} (${token.created ? 'new, kept' : 'kept'} in ${path.relative(process.cwd(), token.file)}) — dashboard: ${dashboard}`, { stored: false });
  } catch (err) {
    c.logger.error(`${role} failed to start: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
    await c.close(2_000).catch(() => undefined);
    process.exit(1);
  }
}
