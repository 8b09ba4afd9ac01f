/**
 * Product code (what tsconfig.build.json compiles into dist/) never imports from test/: the embedded MongoDB
 * server and the examples' fake upstreams that dev mode serves live beside the code that uses them.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/child';

describe('build layout', () => {
  it('tsconfig.build.json compiles no test/ folder and no product file imports one', async () => {
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include.filter((p) => p.startsWith('test/'))).toEqual([]);
    const files = await fg(build.include, { cwd: ROOT, ignore: ['**/*.test.ts', 'node_modules/**', 'dist/**'] });
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1]));
        if (target.split(path.sep)[0] === 'test') offenders.push(`${file} → ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
