#!/usr/bin/env node
/**
 * Second half of `npm run build`: copies what tsc does not emit into dist/, each kind of file by one rule, so a
 * new plugin cannot forget a line here:
 *   - every plugin's migrations: workers/<plugin>/drizzle/** → dist/workers/<plugin>/drizzle/**
 *   - Lua scripts beside the code that loads them: {app,plugins,workers}/**\/*.lua
 *   - the dashboard's static files: app/core/api/dashboard/**
 * The core migrations (drizzle/) are not copied: the image and the layout keep them at <root>/drizzle.
 */
const fs = require('node:fs');
const path = require('node:path');
const fg = require('fast-glob');

const root = path.resolve(__dirname, '..');
const out = path.join(root, process.argv[2] || 'dist');
const RULES = ['workers/*/drizzle/**', '{app,plugins,workers}/**/*.lua', 'app/core/api/dashboard/**'];

const files = fg.sync(RULES, { cwd: root, dot: false, onlyFiles: true, ignore: ['**/node_modules/**'] });
for (const file of files) {
  const target = path.join(out, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(root, file), target);
}
console.log(`copied ${files.length} asset file(s) into ${path.relative(root, out) || '.'}`);
