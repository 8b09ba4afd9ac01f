/** `npm run bench -- <name>`: runs bench/<name>.ts in its own process; it prints one JSON line. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const available = fs.readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !['index.ts', 'support.ts'].includes(f)).map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ')})`);
  process.exit(name ? 2 : 0);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, `${name}.ts`), ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
