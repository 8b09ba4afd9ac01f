/** Finds the optional files of plugin folders (`workers/<folder>/routes.ts`, `hooks.ts`, …) and loads their exports. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';

export interface PluginFile {
  /** The plugin's folder name under WORKERS_DIR. */
  folder: string;
  /** Absolute path of the file. */
  file: string;
}

/** `<folder>/<base>.ts` (or `.js` when no `.ts` sits beside it, as in a build) of every folder, by folder name. */
export async function findPluginFiles(workersDir: string, base: string): Promise<PluginFile[]> {
  const files = await fg([`*/${base}.ts`, `*/${base}.js`], { cwd: path.resolve(workersDir), absolute: true, ignore: ['**/*.d.ts'] });
  const byFolder = new Map<string, string>();
  for (const file of files.sort()) {
    const folder = path.basename(path.dirname(file));
    if (!byFolder.has(folder) || file.endsWith('.ts')) byFolder.set(folder, file);
  }
  return [...byFolder].map(([folder, file]) => ({ folder, file }));
}

/** The file as messages show it (relative to the working directory). */
export function shownFile(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/**
 * The module's exports. TypeScript compiled to CommonJS and imported with `import()` arrives wrapped: its
 * `module.exports` object is `default`; it is unwrapped so `default` and the named exports read the same either way.
 */
export async function importPluginFile(file: string): Promise<Record<string, unknown>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`Could not load ${shownFile(file)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const inner = mod.default;
  // Compiled CommonJS: the namespace's default is module.exports (Node marks it __esModule; vitest's interop copies
  // it without the mark). Its own `default` is the real default export; a module without one (e.g. only
  // `publicRoutes`) has none. No plugin file's default export is a plain object, so any object default is unwrapped.
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
    const exports = inner as Record<string, unknown>;
    return { ...mod, ...exports, default: exports.default };
  }
  return mod;
}
