/**
 * Dev-mode hooks: a plugin folder may carry `dev.ts` (default export) that `npm run dev` calls before the roles
 * start — typically to start local fakes of its upstreams when no URL is configured — and again once everything
 * runs (e.g. to trigger a first run so a newcomer sees data at once). Production processes never load them.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';
import type { ConfigReader, RunLogger } from '../structures/context';
import type { PluginApi } from '../plugins/plugin-api';
import type { Container } from './container';

export interface DevHookContext {
  /** Effective global config (rows and env), to tell whether an upstream URL is configured. */
  config: ConfigReader;
  log: RunLogger;
}

export interface DevHookResult {
  /** Settings to put in the environment of this dev process (only those still empty are set). */
  env?: Record<string, string>;
  /** Called once api, worker and beat run, with the plugin folder's PluginApi. */
  afterStart?: (api: PluginApi) => Promise<void>;
  /** Called on shutdown. */
  close?: () => Promise<void>;
}

export type DevHook = (ctx: DevHookContext) => Promise<DevHookResult>;

/** A dev hook's result with the plugin folder it came from. */
export interface LoadedDevHook extends DevHookResult {
  folder: string;
}

export async function runDevHooks(c: Container): Promise<LoadedDevHook[]> {
  const files = await fg(['*/dev.ts', '*/dev.js'], { cwd: path.resolve(c.settings.WORKERS_DIR), absolute: true, ignore: ['**/*.d.ts', ...c.workerIgnore] });
  const results: LoadedDevHook[] = [];
  const log = { debug: (m: string) => c.logger.debug(m), info: (m: string) => c.logger.info(m), warn: (m: string) => c.logger.warn(m), error: (m: string) => c.logger.error(m) };
  for (const file of files.sort()) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: DevHook | { default?: DevHook } };
    const hook = typeof mod.default === 'function' ? mod.default : mod.default?.default;
    if (typeof hook !== 'function') throw new Error(`${path.relative(process.cwd(), file)} must export default an async function (dev hook)`);
    const result = await hook({ config: { get: <T>(key: string) => c.config.get<T>(key) }, log });
    for (const [key, value] of Object.entries(result.env ?? {})) if (!c.config.get(key)) process.env[key] = value;
    results.push({ ...result, folder: path.basename(path.dirname(file)) });
  }
  return results;
}
