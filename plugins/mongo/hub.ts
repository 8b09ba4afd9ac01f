import { performance } from 'node:perf_hooks';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import type { MongoTestServer } from './server';
import { consoleLogger, type MongoLogger } from './logger';

export interface MongoHubOptions {
  /** Connection string. When absent, `allowTestServer` decides. @default undefined */
  url?: string;
  /** Database returned by `db()` without a name. @default the url's database, else "sluice" */
  dbName?: string;
  /** Dev mode: start the in-memory MongoTestServer when no url is given (data is not kept). @default false */
  allowTestServer?: boolean;
  /** Where the hub reports what it connected to. @default console */
  logger?: MongoLogger;
  /** Passed to the MongoClient constructor. @default {} */
  clientOptions?: MongoClientOptions;
  /** How long `ping()` waits before reporting the server as down. @default 2000 */
  pingTimeoutMs?: number;
}

/** Result of the readiness check used by `/ready`. */
export interface MongoPingResult {
  ok: boolean;
  error?: string;
  latencyMs: number;
}

const DEFAULT_DB = 'sluice';
const DEFAULT_PING_TIMEOUT_MS = 2_000;
const TEST_SERVER_KEY = 'mongo-test-server';

/** The database path of a connection string (the driver itself would default to "test"). */
function databaseInUrl(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url)?.[1];
  return path ? decodeURIComponent(path) : undefined;
}

/** One MongoClient for the process, plus the dev-mode test server when it had to start one. */
export class MongoHub {
  private constructor(
    readonly client: MongoClient,
    readonly url: string,
    private readonly defaultDb: string,
    private readonly pingTimeoutMs: number,
    private readonly testServer: MongoTestServer | undefined,
    private readonly onClose: () => void,
  ) {}

  /** Connects a new hub; most callers want the shared `getMongoHub()` instead. */
  static async connect(options: MongoHubOptions = {}, onClose: () => void = () => undefined): Promise<MongoHub> {
    const logger = options.logger ?? consoleLogger;
    let url = options.url;
    let testServer: MongoTestServer | undefined;
    if (!url) {
      if (!options.allowTestServer) throw new Error('MongoDB url is not configured and the in-memory test server is not allowed');
      // Loaded only in dev mode, so production processes never load the test server.
      const { MongoTestServer: Server } = await import('./server/index.js');
      const started = await Server.start();
      testServer = started;
      url = started.uri;
      logger.warn('MongoDB url not set: using the in-memory test server, data is NOT kept across restarts', { url });
    }
    const client = new MongoClient(url, options.clientOptions ?? {});
    try {
      await client.connect();
    } catch (err) {
      await testServer?.stop();
      throw err;
    }
    const dbName = options.dbName ?? databaseInUrl(url) ?? DEFAULT_DB;
    logger.info('MongoDB connected', { db: dbName, testServer: testServer !== undefined });
    return new MongoHub(client, url, dbName, options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS, testServer, onClose);
  }

  /** True when the data lives in the in-process test server (dev mode). */
  get usingTestServer(): boolean {
    return this.testServer !== undefined;
  }

  db(name: string = this.defaultDb): Db {
    return this.client.db(name);
  }

  /** Readiness check: a `ping` round-trip bounded by `pingTimeoutMs`; never throws. */
  async ping(): Promise<MongoPingResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ping timed out after ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      await Promise.race([this.client.db('admin').command({ ping: 1 }), timeout]);
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), latencyMs: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the client and, in dev mode, the test server; the shared registry forgets this hub. */
  async close(): Promise<void> {
    this.onClose();
    await this.client.close();
    await this.testServer?.stop();
  }
}

const hubs = new Map<string, Promise<MongoHub>>();

/** The process-wide hub for a url: concurrent and later callers share one MongoClient. */
export function getMongoHub(options: MongoHubOptions = {}): Promise<MongoHub> {
  const key = options.url || TEST_SERVER_KEY;
  let hub = hubs.get(key);
  if (!hub) {
    hub = MongoHub.connect(options, () => hubs.delete(key));
    hubs.set(key, hub);
    // A failed connect must not poison the registry for the next attempt.
    hub.catch(() => hubs.delete(key));
  }
  return hub;
}

/** Closes every shared hub (process shutdown, test teardown). */
export async function closeMongoHubs(): Promise<void> {
  const all = [...hubs.values()];
  hubs.clear();
  await Promise.all(
    all.map(async (pending) => {
      // Hubs that never connected have nothing to close.
      const hub = await pending.catch(() => undefined);
      await hub?.close();
    }),
  );
}
