/** Process entries: build the container, start the role(s), stop gracefully on SIGTERM/SIGINT. */
import { randomBytes } from 'node:crypto';
import { loadDotEnv } from '../../config/dotenv';
import { Container } from './container';
import { startApiRole } from './api';
import { startBeatRole } from './beat';
import { startWorkerRole } from './worker';
import { installCrashGuards, installShutdown } from './lifecycle';
import { runDevHooks, type LoadedDevHook } from './dev-hooks';
import { pluginApis } from '../plugins';
import { PluginLifecycle } from '../plugins/lifecycle';

export type RoleName = 'api' | 'worker' | 'beat' | 'dev';

/** Dev mode without API_TOKENS: a random admin token for this run, so the dashboard works out of the box. */
function devToken(): string | null {
  if (process.env.API_TOKENS) return null;
  const token = randomBytes(18).toString('base64url');
  process.env.API_TOKENS = `dev:admin:${token}`;
  return token;
}

export async function runRole(role: RoleName): Promise<void> {
  loadDotEnv();
  const token = role === 'dev' ? devToken() : null;
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
    if (role === 'api' || role === 'dev') stops.push((await startApiRole(c, { seed: role === 'api', plugins })).stop);
    for (const h of hooks) await h.afterStart?.(pluginApis(c).get(h.folder));
    if (token) c.logger.warn(`dev mode: API_TOKENS is empty, so this run accepts the admin token ${token} — dashboard: http://localhost:${c.settings.API_PORT}/dashboard`, { stored: false });
  } catch (err) {
    c.logger.error(`${role} failed to start: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
    await c.close(2_000).catch(() => undefined);
    process.exit(1);
  }
}
