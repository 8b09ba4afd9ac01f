/** Boot errors of plugin files name the file and the fix. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPluginHooks, runPluginHooks } from '../../app/core/plugins/plugin-hooks';
import { loadPluginRoutes } from '../../app/core/api/plugin-routes';
import { Container } from '../../app/core/runtime/container';
import { buildApiApp } from '../../app/core/api/app';
import type { PluginApi } from '../../app';
import { createTestEnv } from '../support/isolation';
import { ROOT } from '../support/child';

const dir = (name: string) => path.relative(ROOT, path.resolve(__dirname, '../fixtures/plugin-errors', name));
const noApi = (): PluginApi => ({}) as PluginApi;

describe('plugin files', () => {
  it('a hooks.ts export that looks like a hook but is none fails the load', async () => {
    await expect(loadPluginHooks(dir('badhook'))).rejects.toThrow('test/fixtures/plugin-errors/badhook/shop/hooks.ts: export onWorkerBooted is not a lifecycle hook (known: onWorkerBoot, onWorkerShutdown, onApiBoot)');
  });

  it('a boot hook that does not settle fails after the timeout, naming the file', async () => {
    const hooks = await loadPluginHooks(dir('hanghook'));
    await expect(runPluginHooks(hooks, 'onWorkerBoot', noApi, 100)).rejects.toThrow('test/fixtures/plugin-errors/hanghook/shop/hooks.ts onWorkerBoot failed: did not finish within 100 ms (PLUGIN_HOOK_TIMEOUT_MS)');
    expect(await runPluginHooks(hooks, 'onApiBoot', noApi, 100)).toEqual([]);
  });

  it('a routes.ts with neither export fails the load', async () => {
    await expect(loadPluginRoutes(dir('noexport'))).rejects.toThrow('test/fixtures/plugin-errors/noexport/shop/routes.ts must export default a Fastify plugin and/or publicRoutes');
  });

  it('a public prefix inside a core route fails the API boot', async () => {
    const t = createTestEnv('plugin_files', { WORKERS_DIR: dir('badprefix') });
    const c = new Container({ role: 'test', env: { ...process.env, ...t.env }, console: false });
    try {
      await c.init();
      await expect(buildApiApp(c)).rejects.toThrow('test/fixtures/plugin-errors/badprefix/shop/routes.ts: publicRoutes.prefix /workers collides with the API\'s /workers routes');
    } finally {
      await c.close();
      await t.cleanup();
    }
  });
});
