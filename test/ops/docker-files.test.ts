/** The Docker build context keeps secrets and host dependencies out (.dockerignore, read with Docker's rules). */
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/child';
import { dockerignoreRules, excludedBy } from './support/docker-context';

const rules = dockerignoreRules(ROOT);
const excluded = (file: string) => excludedBy(rules, file);

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
