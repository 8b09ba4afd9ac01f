import { createServer, type AddressInfo, type Server } from 'node:net';
import { runCommand } from './commands/dispatch';
import type { ServerState } from './commands/context';
import { WireConnection } from './connection';
import { CursorStore } from './cursors';
import { ServerFaults } from './faults';
import { Catalog } from './storage/catalog';
import type { Doc } from './query/values';

export interface MongoTestServerOptions {
  /** TCP port to listen on; 0 picks a free port. @default 0 */
  port?: number;
  /** Interface to bind; loopback only, since this server has no authentication. @default "127.0.0.1" */
  host?: string;
  /** Called after every command with its reply, for debugging fidelity issues. @default undefined */
  trace?: (event: CommandTrace) => void;
}

/** One executed command as seen by `trace`. */
export interface CommandTrace {
  connectionId: number;
  db: string;
  command: Doc;
  reply: Doc;
}

/**
 * In-memory server speaking the MongoDB wire protocol, for tests and dev mode only: no
 * persistence, no auth, no replication, no transactions. The real `mongodb` driver talks to it.
 */
export class MongoTestServer {
  readonly faults: ServerFaults;
  private readonly state: ServerState;
  private readonly connections = new Set<WireConnection>();
  private nextConnectionId = 1;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    trace: MongoTestServerOptions['trace'],
  ) {
    this.faults = new ServerFaults({ destroyConnections: () => this.destroyConnections() });
    this.state = { catalog: new Catalog(), cursors: new CursorStore(), faults: this.faults };
    server.on('connection', (socket) => {
      const conn = new WireConnection(
        socket,
        this.nextConnectionId++,
        (req, connectionId) => {
          const reply = runCommand(this.state, req.db, req.body, connectionId);
          trace?.({ connectionId, db: req.db, command: req.body, reply });
          return reply;
        },
        () => this.faults.latencyMs,
      );
      this.connections.add(conn);
      socket.on('close', () => this.connections.delete(conn));
    });
  }

  static async start(options: MongoTestServerOptions = {}): Promise<MongoTestServer> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new MongoTestServer(server, host, options.trace);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connection string for the driver, e.g. `mongodb://127.0.0.1:40123`. */
  get uri(): string {
    return `mongodb://${this.host}:${this.port}`;
  }

  /** Number of client sockets currently open. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Forgets every database and open cursor; connections stay up. */
  reset(): void {
    this.state.catalog.clear();
    this.state.cursors.clear();
  }

  private destroyConnections(): number {
    const count = this.connections.size;
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    return count;
  }

  /** Closes every connection and the listener; all data is gone afterwards. */
  async stop(): Promise<void> {
    this.faults.clear();
    this.destroyConnections();
    if (this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
    this.reset();
  }
}
