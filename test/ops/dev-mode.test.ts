/**
 * `npm run dev` as a newcomer runs it (the README's command, through npm): it binds 127.0.0.1 when API_HOST is
 * not set and says so, keeps its admin token across restarts, picks up a new worker file without a manual
 * restart, and stopping npm leaves no process behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestEnv, eventually } from '../support/isolation';
import { ROOT } from '../support/child';

const t = createTestEnv('devmode');
const folder = `devmode-${randomBytes(3).toString('hex')}`;
const dir = path.join(ROOT, 'workers', folder);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dev-'));
const tokenFile = path.join(tmp, 'var', 'dev-admin-token');
let npm: ChildProcess | undefined;
const lines: string[] = [];

afterAll(async () => {
  for (const pid of [...descendants(npm?.pid ?? -1), npm?.pid ?? -1]) if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
  await t.cleanup();
});

/** Every live process below `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) if (pp === p) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function listening(after: number): Promise<{ url: string; token: string }> {
  const found = await eventually(async () => {
    const i = lines.findIndex((l, k) => k >= after && /API listening on/.test(l));
    return i >= 0 ? lines[i] : undefined;
  }, { timeoutMs: 90_000, what: `the API listening line (output so far:\n${lines.slice(-10).join('\n')})` });
  const url = /API listening on (http:\/\/[^ "]+)/.exec(found)![1];
  const tokenLine = await eventually(async () => lines.slice(after).find((l) => /accepts the admin token/.test(l)), { what: 'the dev token line' });
  return { url, token: /admin token ([A-Za-z0-9_-]+)/.exec(tokenLine)![1] };
}

describe('npm run dev', () => {
  it('binds 127.0.0.1, keeps its token, reloads on a new worker file, and leaves no orphan when npm stops', async () => {
    const env: Record<string, string> = { ...process.env as Record<string, string>, ...t.env, API_PORT: '0', MONGO_URL: '', DEV_TOKEN_FILE: tokenFile, LOG_FORMAT: 'json' };
    for (const key of ['API_HOST', 'API_TOKENS', 'EXAMPLES_ENABLED', 'NODE_OPTIONS']) delete env[key];
    env.EXAMPLES_ENABLED = 'false';
    npm = spawn('npm', ['run', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [npm.stdout!, npm.stderr!]) readline.createInterface({ input: s }).on('line', (l) => lines.push(l));
    const exited = new Promise<string>((r) => npm!.once('exit', (code, signal) => r(`${code ?? signal}`)));

    const first = await listening(0);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(first.token);
    expect((fs.statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');
    const auth = { authorization: `Bearer ${first.token}` };
    expect((await fetch(`${first.url}/workers`, { headers: auth })).status).toBe(200);

    // A new worker file: watch mode restarts the dev process, which discovers it; the token stays the same.
    const mark = lines.length;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'hello.worker.ts'), `import { Schedule, ScheduleWorker } from '../../app';

@Schedule({ id: '${folder}-hello', description: 'added while dev mode runs' })
export class HelloWorker extends ScheduleWorker {
  run() {
    return 'hello';
  }
}
`);
    const second = await listening(mark);
    expect(second.token).toBe(first.token);
    const res = await fetch(`${second.url}/workers/${folder}-hello`, { headers: auth });
    expect(res.status).toBe(200);

    const below = descendants(npm.pid!);
    expect(below.length).toBeGreaterThan(0);
    npm.kill('SIGTERM');
    expect(['0', 'SIGTERM']).toContain(await exited);
    await eventually(async () => below.every((pid) => !alive(pid)), { timeoutMs: 15_000, what: `no process left of ${below.join(', ')}` });
    await expect(fetch(`${second.url}/health`)).rejects.toThrow();
  }, 180_000);
});
