/**
 * Private Redis and MariaDB servers for chaos tests: each on a free port with its own temp directory, started and
 * restarted by the test (the shared servers are never touched).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../ops/support/node-process';

const run = promisify(execFile);

export interface PrivateServer {
  port: number;
  url: string;
  dir: string;
  /** Stops the server gracefully (SIGTERM: Redis writes its AOF, MariaDB shuts InnoDB down) and waits for its exit. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Removes the data directory (after stop). */
  destroy(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function server(spawnIt: () => ChildProcess, port: number, url: string, dir: string, what: string, startMs: number): PrivateServer {
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const self: PrivateServer = {
    port, url, dir,
    async start() {
      const p = spawnIt();
      proc = p;
      const out: string[] = [];
      p.stdout?.on('data', (d: Buffer) => out.push(String(d)));
      p.stderr?.on('data', (d: Buffer) => out.push(String(d)));
      exited = new Promise((resolve) => p.once('exit', () => resolve()));
      await Promise.race([
        waitForPort(port, startMs, what),
        exited.then(() => {
          throw new Error(`${what} exited at start:\n${out.join('').slice(-2000)}`);
        }),
      ]);
    },
    async stop() {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await exited;
      proc = null;
    },
    async destroy() {
      if (proc && proc.exitCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** A redis-server with append-only persistence, as docker-compose.yml runs it. */
export async function startRedis(opts: { maxmemoryPolicy?: string } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', opts.maxmemoryPolicy ?? 'noeviction'];
  const s = server(() => spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }), port, `redis://127.0.0.1:${port}`, dir, 'redis-server', 15_000);
  await s.start();
  return s;
}

/** A MariaDB in a fresh datadir (mariadb-install-db), root without a password over TCP. */
export async function startMariadb(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-mariadb-'));
  const data = path.join(dir, 'data');
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { timeout: 120_000 });
  const args = [
    '--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${path.join(dir, 'mysqld.sock')}`, `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    '--user=root', '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--innodb-log-file-size=32M', '--innodb-flush-log-at-trx-commit=2',
    '--max-connections=200', '--performance-schema=OFF',
  ];
  const s = server(() => spawn('/usr/sbin/mariadbd', args, { stdio: ['ignore', 'pipe', 'pipe'] }), port, `mysql://root@127.0.0.1:${port}`, dir, 'mariadbd', 60_000);
  await s.start();
  return s;
}
