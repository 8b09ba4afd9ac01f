/**
 * Dev-mode defaults (`npm run dev`), applied to the environment before the container reads its settings. Only what
 * is not set already (in the environment or `.env`) is changed:
 *   - API_HOST=127.0.0.1: a laptop does not expose its API (and its admin token) to the network;
 *   - EXAMPLES_ENABLED=true: the example crawlers run against local fakes;
 *   - SHUTDOWN_GRACE_MS=3000: a watch-mode restart does not wait 30 s for running jobs;
 *   - API_TOKENS: a dev admin token kept in DEV_TOKEN_FILE (git-ignored var/), so an open dashboard keeps working
 *     across restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import writeFileAtomic from 'write-file-atomic';
import { envOrDefault } from '../../config/settings';

export interface DevToken {
  token: string;
  file: string;
  /** The token was made now (first run, or the file was removed). */
  created: boolean;
}

const DEV_DEFAULTS: Record<string, string> = { API_HOST: '127.0.0.1', EXAMPLES_ENABLED: 'true', SHUTDOWN_GRACE_MS: '3000' };

/** Reads the kept dev token, or makes one and keeps it (mode 0600). */
export function keptDevToken(file: string): DevToken {
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{16,}$/.test(token)) return { token, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the dev token file ${file}: ${(err as Error).message}`);
  }
  const token = randomBytes(18).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}

/** Applies the dev defaults to `env`; returns the dev token when API_TOKENS was empty. */
export function applyDevDefaults(env: NodeJS.ProcessEnv = process.env): DevToken | null {
  for (const [key, value] of Object.entries(DEV_DEFAULTS)) if (!env[key]) env[key] = value;
  if (env.API_TOKENS) return null;
  const kept = keptDevToken(path.resolve(String(envOrDefault('DEV_TOKEN_FILE', env)?.value)));
  env.API_TOKENS = `dev:admin:${kept.token}`;
  return kept;
}

/** The address a server really listens on, as a URL (`http://0.0.0.0:8686` when bound to every interface). */
export function boundUrl(address: string | { address: string; port: number; family: string } | null): string {
  if (!address || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
