/** Child processes for crash, signal and multi-process tests: real processes, real signals. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '../..');

export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first output line matching `re` (lines already printed count). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  cwd: string;
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Names the child in echoed output and in waitForLine errors. */
  name: string;
  /** waitForLine's default timeout. */
  waitTimeoutMs: number;
}

/** `node <nodeArgs>` with its stdout and stderr collected as lines. */
export function spawnChild(nodeArgs: string[], opts: SpawnOptions): Child {
  const proc = spawn(process.execPath, nodeArgs, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    if (process.env.TEST_CHILD_OUTPUT) process.stderr.write(`[${opts.name} ${proc.pid}] ${line}\n`);
    for (const w of waiters) if (w.re.test(line)) {
      waiters.delete(w);
      w.resolve(line);
    }
  };
  readline.createInterface({ input: proc.stdout! }).on('line', onLine);
  readline.createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc, lines, exited,
    waitForLine(re, timeoutMs = opts.waitTimeoutMs) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        waiters.add(w);
        const t = setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`timed out waiting for ${re} from ${opts.name}:\n${lines.slice(-20).join('\n')}`));
        }, timeoutMs);
        t.unref();
        void exited.then(() => setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`${opts.name} exited before printing ${re}:\n${lines.slice(-20).join('\n')}`));
        }, 50));
      });
    },
    kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

export function spawnTs(script: string, env: Record<string, string>, args: string[] = []): Child {
  // `node --import tsx` keeps one process: a signal (SIGKILL included) reaches the process under test itself.
  return spawnChild(['--import', 'tsx', path.resolve(ROOT, script), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, name: 'child', waitTimeoutMs: 30_000,
  });
}

/** SIGKILLs every child in `children` and waits for each exit, emptying the list. */
export async function killAll(children: Child[]): Promise<void> {
  for (const c of children.splice(0)) {
    c.kill('SIGKILL');
    await c.exited;
  }
}
