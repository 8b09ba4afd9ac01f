/** A compiled entry (`node dist/run-*.js`) started as ops start it: its own cwd, env and output lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface NodeProcess {
  proc: ChildProcess;
  lines: string[];
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnNode(args: string[], opts: { cwd: string; env: Record<string, string> }): NodeProcess {
  const proc = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    if (process.env.TEST_CHILD_OUTPUT) process.stderr.write(`[${args[0]} ${proc.pid}] ${line}\n`);
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
    waitForLine(re, timeoutMs = 60_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        waiters.add(w);
        const t = setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`timed out waiting for ${re} from ${args[0]}:\n${lines.slice(-20).join('\n')}`));
        }, timeoutMs);
        t.unref();
        void exited.then(() => setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`${args[0]} exited before printing ${re}:\n${lines.slice(-20).join('\n')}`));
        }, 50));
      });
    },
    kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
