/**
 * Plugins reach the core only through `app/index.ts` and their PluginApi (ARCHITECTURE.md): no file under workers/
 * imports a core internal or another plugin's folder, and none touches the process's container.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/child';

const WORKERS = path.join(ROOT, 'workers');
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).filter((s) => s.startsWith('.'));
}

describe('plugin boundaries', () => {
  const files = fg.sync('**/*.ts', { cwd: WORKERS, absolute: true, ignore: ['**/*.d.ts'] });

  it('workers/ files import the core only through app/index.ts, and never another plugin folder', () => {
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    for (const file of files) {
      const folder = path.relative(WORKERS, file).split(path.sep)[0];
      for (const spec of importsOf(file)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        const inApp = target === 'app' || target.startsWith(`app${path.sep}`);
        if (inApp && target !== 'app' && target !== path.join('app', 'index')) offending.push(`${path.relative(ROOT, file)} imports ${spec}`);
        const inWorkers = target.startsWith(`workers${path.sep}`);
        if (inWorkers && target.split(path.sep)[1] !== folder) offending.push(`${path.relative(ROOT, file)} imports another plugin: ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("no plugin file reaches for the process's container", () => {
    const offending = files.filter((f) => /\bcontainer\b|\bContainer\b/.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f));
    expect(offending).toEqual([]);
    expect(fs.readFileSync(path.join(WORKERS, 'balance/routes.ts'), 'utf8')).toMatch(/async \(app, \{ api \}\)/);
  });
});
