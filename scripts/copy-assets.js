#!/usr/bin/env node
/**
 * Second half of `npm run build`: copies what tsc does not emit into dist/ by one rule — every file under app/,
 * plugins/ and workers/ that is not TypeScript — so a new plugin cannot forget a line here. That covers every
 * plugin's migrations (workers/<plugin>/drizzle/**), Lua scripts beside the code that loads them, the dashboard's
 * static files and a plugin's browser files (e.g. workers/resources/client/**).
 * The core migrations (drizzle/) are not copied: the image and the layout keep them at <root>/drizzle.
 */
const fs = require('node:fs');
const path = require('node:path');
const fg = require('fast-glob');

const root = path.resolve(__dirname, '..');
const out = path.join(root, process.argv[2] || 'dist');
const RULES = ['{app,plugins,workers}/**/*'];

const files = fg.sync(RULES, { cwd: root, dot: false, onlyFiles: true, ignore: ['**/node_modules/**', '**/*.ts'] });
for (const file of files) {
  const target = path.join(out, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(root, file), target);
}
console.log(`copied ${files.length} asset file(s) into ${path.relative(root, out) || '.'}`);
