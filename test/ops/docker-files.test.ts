/**
 * The Docker build context keeps secrets and host dependencies out (.dockerignore, read with Docker's matching
 * rules: patterns are relative to the context root, `*` stays within a path segment, `**` spans segments, a
 * matched directory excludes everything below it, and a later `!pattern` re-includes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/child';

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

const rules = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  .map((l) => ({ exclude: !l.startsWith('!'), re: toRegExp(l.replace(/^!/, '').replace(/^\/+|\/+$/g, '')) }));

function excluded(file: string): boolean {
  let out = false;
  for (const r of rules) if (r.re.test(file)) out = r.exclude;
  return out;
}

describe('.dockerignore', () => {
  it('keeps secrets, local state and host dependencies out of the build context', () => {
    for (const file of ['.env', '.env.production', 'workers/balance/.env', 'var/dev-admin-token', 'var/sync-buffer/x.json', 'node_modules/fastify/package.json',
      'workers/push/node_modules/x/index.js', 'dist/run-api.js', '.git/config', 'deploy/service-account.pem', 'logs/sluice-2026-01-01.log']) {
      expect(excluded(file), file).toBe(true);
    }
  });

  it('keeps what the build needs in it', () => {
    for (const file of ['.env.example', 'package.json', 'package-lock.json', 'app/index.ts', 'workers/balance/drizzle/meta/_journal.json', 'drizzle/0000_core.sql',
      'scripts/copy-assets.js', 'test/fakes/market-site.ts', 'tsconfig.build.json', 'app/core/services/live-runs.lua']) {
      expect(excluded(file), file).toBe(false);
    }
  });
});
