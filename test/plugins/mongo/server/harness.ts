import { randomBytes } from 'node:crypto';
import { MongoClient, type CommandStartedEvent, type Db, type Document, type MongoClientOptions, type ObjectId } from 'mongodb';
import { MongoTestServer } from '../../../../plugins/mongo/server';

/** Conformance documents use plain ids (numbers, strings), not only ObjectIds. */
export interface TestDoc extends Document {
  _id?: string | number | ObjectId;
}

/** A connected driver plus a private database; backed by MONGO_URL when set, else by the test server. */
export interface MongoHarness {
  client: MongoClient;
  db: Db;
  /** Present only when the in-process test server is used. */
  server?: MongoTestServer;
  /** Commands the driver sent since the last `commands.length = 0`. */
  commands: CommandStartedEvent[];
  close(): Promise<void>;
}

/** Database names are unique per file and run, so suites can share one real mongod. */
export function uniqueDbName(label: string): string {
  return `sluice_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.slice(0, 60);
}

export async function openHarness(label: string, options: MongoClientOptions = {}): Promise<MongoHarness> {
  const external = process.env.MONGO_URL;
  const server = external ? undefined : await MongoTestServer.start();
  const client = new MongoClient(external ?? (server as MongoTestServer).uri, { monitorCommands: true, ...options });
  const commands: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => commands.push(event));
  await client.connect();
  const db = client.db(uniqueDbName(label));
  return {
    client,
    db,
    server,
    commands,
    async close() {
      // Cleanup must not mask the assertion that failed a test.
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      await server?.stop();
    },
  };
}
