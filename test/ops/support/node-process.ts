/** A compiled entry (`node dist/run-*.js`) started as ops start it: its own cwd, env and output lines. */
import { spawnChild, type Child } from '../../support/child';

export type NodeProcess = Child;

export function spawnNode(args: string[], opts: { cwd: string; env: Record<string, string> }): NodeProcess {
  return spawnChild(args, { cwd: opts.cwd, env: opts.env, name: args[0], waitTimeoutMs: 60_000 });
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
