/**
 * Lifecycle hooks of plugin folders (`workers/<folder>/hooks.ts`, named exports onWorkerBoot / onWorkerShutdown /
 * onApiBoot). The roles call them in folder order; a hook that throws, or does not settle within
 * PLUGIN_HOOK_TIMEOUT_MS, fails the boot (or is reported at shutdown) with a message naming the file.
 */
import type { PluginApi, PluginHooks } from './plugin-api';
import { findPluginFiles, importPluginFile, shownFile } from './plugin-files';

export type HookName = keyof PluginHooks;
export const HOOK_NAMES: readonly HookName[] = ['onWorkerBoot', 'onWorkerShutdown', 'onApiBoot'];

export interface LoadedHooks {
  folder: string;
  file: string;
  hooks: PluginHooks;
}

/** Loads every `hooks.ts`; an export that looks like a hook but is none (a typo) fails the load. */
export async function loadPluginHooks(workersDir: string): Promise<LoadedHooks[]> {
  const out: LoadedHooks[] = [];
  for (const { folder, file } of await findPluginFiles(workersDir, 'hooks')) {
    const mod = await importPluginFile(file);
    const hooks: PluginHooks = {};
    for (const [key, value] of Object.entries(mod)) {
      if (key === 'default' || key === '__esModule') continue;
      if ((HOOK_NAMES as readonly string[]).includes(key)) {
        if (typeof value !== 'function') throw new Error(`${shownFile(file)}: ${key} must be an async function (api) => void`);
        hooks[key as HookName] = value as PluginHooks[HookName];
      } else if (/^on[A-Z]/.test(key)) {
        throw new Error(`${shownFile(file)}: export ${key} is not a lifecycle hook (known: ${HOOK_NAMES.join(', ')})`);
      }
    }
    out.push({ folder, file, hooks });
  }
  return out;
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms (PLUGIN_HOOK_TIMEOUT_MS)`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs hook `name` of every plugin that has it, one after another. A failure is an error naming the file: thrown
 * at once, or (with `onError`, for shutdown) handed over while the other plugins' hooks still run.
 */
export async function runPluginHooks(loaded: readonly LoadedHooks[], name: HookName, apiOf: (folder: string) => PluginApi, timeoutMs: number, onError?: (err: Error) => void): Promise<string[]> {
  const ran: string[] = [];
  for (const { folder, file, hooks } of loaded) {
    const hook = hooks[name];
    if (!hook) continue;
    const what = `${shownFile(file)} ${name}`;
    try {
      await withTimeout(Promise.resolve().then(() => hook(apiOf(folder))), timeoutMs);
    } catch (err) {
      const failure = new Error(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      if (!onError) throw failure;
      onError(failure);
      continue;
    }
    ran.push(folder);
  }
  return ran;
}
