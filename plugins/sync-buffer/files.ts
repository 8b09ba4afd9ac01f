/** File primitives of the sync buffer: atomic JSON writes and cross-process locks (proper-lockfile). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';

export interface LockTuning {
  /** A lock not refreshed for this long belongs to a dead process and may be taken over. @defaultValue 10000 */
  staleMs?: number;
  /** Tries to take a busy lock before giving up (0 = fail at once). */
  retries?: number;
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(value));
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Tries (5–100 ms apart) to take a lock another process holds before giving up: about 20 s. */
export const WAIT_RETRIES = 200;

/**
 * Runs `fn` holding the lock `name`, waiting for it while another process holds it (`tuning.retries`, default
 * WAIT_RETRIES); rejects, naming `what`, if it stays held that long.
 */
export async function withLockWaiting<T>(lockDir: string, name: string, tuning: LockTuning, what: string, fn: () => Promise<T>): Promise<T> {
  const out = await withLock(lockDir, name, { staleMs: tuning.staleMs, retries: tuning.retries ?? WAIT_RETRIES }, fn);
  if (!out.locked) throw new Error(`could not lock ${what} (another process held it too long)`);
  return out.value;
}

/**
 * Runs `fn` holding the lock named `name` under `lockDir`. Resolves `{ locked: false }` when another process holds
 * it and `retries` ran out, so callers can skip work someone else is doing.
 */
export async function withLock<T>(lockDir: string, name: string, tuning: LockTuning, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
  await fs.mkdir(lockDir, { recursive: true });
  const target = path.join(lockDir, name);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false, lockfilePath: `${target}.lock`, stale: tuning.staleMs ?? 10_000,
      retries: tuning.retries ? { retries: tuning.retries, minTimeout: 5, maxTimeout: 100, randomize: true } : 0,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return { locked: false };
    throw err;
  }
  try {
    return { locked: true, value: await fn() };
  } finally {
    await release();
  }
}
