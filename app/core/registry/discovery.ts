/** Finds and imports every `*.worker.ts` (or compiled `.js`) under the workers directory. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';
import { allDeclarations, type Declaration } from '../decorators/declarations';
import { messages } from './registry.messages';

export interface DiscoveredDeclaration {
  decl: Declaration;
  file: string;
}

const loadedBy = new Map<string, Declaration[]>();

/** `ignore`: extra globs relative to the workers directory (e.g. `examples/**` while EXAMPLES_ENABLED is off). */
export async function findWorkerFiles(dir: string, ignore: readonly string[] = []): Promise<string[]> {
  const files = await fg(['**/*.worker.ts', '**/*.worker.js'], {
    cwd: dir, absolute: true, ignore: ['**/*.d.ts', '**/*.test.*', '**/node_modules/**', ...ignore],
  });
  // When both a .ts and its compiled .js sit side by side, load one of them only.
  const ts = new Set(files.filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)));
  return files.filter((f) => !(f.endsWith('.js') && ts.has(f.slice(0, -3)))).sort();
}

/**
 * Imports each worker file in order and attributes to it every declaration recorded while it loaded
 * (including @Database classes from files it imports) or whose decorator ran in that file earlier.
 */
export async function discoverWorkers(dir: string, ignore: readonly string[] = []): Promise<DiscoveredDeclaration[]> {
  const files = await findWorkerFiles(path.resolve(dir), ignore);
  const found = new Map<Declaration, string>();
  for (const file of files) {
    const before = allDeclarations().length;
    try {
      await import(pathToFileURL(file).href);
    } catch (err) {
      throw new Error(messages.importFailed(file, err instanceof Error ? err.message : String(err)));
    }
    const fresh = allDeclarations().slice(before);
    // A module loads once per process: remember what it declared for later discoveries (tests, dev reloads).
    if (fresh.length) loadedBy.set(file, fresh);
    for (const decl of loadedBy.get(file) ?? []) found.set(decl, decl.file ?? file);
    for (const decl of allDeclarations()) if (!found.has(decl) && decl.file === file) found.set(decl, file);
  }
  return [...found].map(([decl, file]) => ({ decl, file })).sort((a, b) => a.decl.seq - b.decl.seq);
}
