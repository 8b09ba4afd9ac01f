/** Runs the plugins' lifecycle hooks for a process's roles (worker, api, dev). */
import type { Container } from '../runtime/container';
import { pluginApis } from './index';
import { loadPluginHooks, runPluginHooks, type HookName, type LoadedHooks } from './plugin-hooks';

export class PluginLifecycle {
  private loaded: Promise<LoadedHooks[]> | null = null;

  constructor(private readonly c: Container) {}

  /** Runs hook `name` of every plugin folder (the container must be initialised); throws on the first failure. */
  run(name: HookName): Promise<void> {
    return this.runAll(name);
  }

  /** Shutdown hooks: a failure is logged (naming the file) and the other hooks and the shutdown go on. */
  async runAtShutdown(name: HookName): Promise<void> {
    try {
      await this.runAll(name, (err) => this.c.logger.error(err.message, { stored: false }));
    } catch (err) {
      this.c.logger.error(`plugin hooks ${name}: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
    }
  }

  private async runAll(name: HookName, onError?: (err: Error) => void): Promise<void> {
    this.loaded ??= loadPluginHooks(this.c.settings.WORKERS_DIR);
    const ran = await runPluginHooks(await this.loaded, name, (folder) => pluginApis(this.c).get(folder), this.c.settings.PLUGIN_HOOK_TIMEOUT_MS, onError);
    if (ran.length) this.c.logger.info(`plugin hooks ${name}: ${ran.join(', ')}`, { stored: false });
  }
}
