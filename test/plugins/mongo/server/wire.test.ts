import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { BSON, type Document } from 'mongodb';
import { MongoTestServer } from '../../../../plugins/mongo/server';
import { uniqueDbName } from './harness';

// Raw wire-protocol checks; they run against MONGO_URL too (when it needs no authentication).
let server: MongoTestServer | undefined;
let socket: Socket;
let requestId = 1;
const db = uniqueDbName('wire');

function target(): { host: string; port: number } {
  const url = new URL(process.env.MONGO_URL ?? (server as MongoTestServer).uri);
  return { host: url.hostname, port: Number(url.port || 27017) };
}

function header(length: number, opCode: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId++, 4);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

async function roundTrip(frame: Buffer): Promise<Buffer> {
  socket.write(frame);
  let data = Buffer.alloc(0);
  while (data.length < 4 || data.length < data.readInt32LE(0)) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    data = Buffer.concat([data, chunk]);
  }
  return data;
}

/** OP_MSG with a body and optional kind-1 document sequences. */
async function opMsg(body: Document, sequences: Record<string, Document[]> = {}): Promise<Document> {
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const [id, docs] of Object.entries(sequences)) {
    const payload = Buffer.concat([Buffer.from(id + '\0'), ...docs.map((d) => BSON.serialize(d))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const content = Buffer.concat(parts);
  const reply = await roundTrip(Buffer.concat([header(16 + content.length, 2013), content]));
  expect(reply.readInt32LE(12)).toBe(2013);
  return BSON.deserialize(reply.subarray(21));
}

beforeAll(async () => {
  if (!process.env.MONGO_URL) server = await MongoTestServer.start();
  const { host, port } = target();
  socket = connect(port, host);
  await once(socket, 'connect');
});
afterAll(async () => {
  await opMsg({ dropDatabase: 1, $db: db });
  socket.destroy();
  await server?.stop();
});

describe('wire protocol', () => {
  it('answers a legacy OP_QUERY isMaster with OP_REPLY', async () => {
    const query = Buffer.concat([Buffer.alloc(4), Buffer.from('admin.$cmd\0'), Buffer.alloc(4), Buffer.from([1, 0, 0, 0]), BSON.serialize({ isMaster: 1 })]);
    const reply = await roundTrip(Buffer.concat([header(16 + query.length, 2004), query]));
    expect(reply.readInt32LE(12)).toBe(1);
    expect(reply.readInt32LE(32)).toBe(1);
    const doc = BSON.deserialize(reply.subarray(36));
    expect(doc).toMatchObject({ ismaster: true, ok: 1 });
    expect(doc.maxWireVersion).toBeGreaterThanOrEqual(8);
  });

  it('accepts OP_MSG document sequences for bulk writes', async () => {
    const docs = [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }, { _id: 3, v: 'c' }];
    expect(await opMsg({ insert: 'seq', ordered: true, $db: db }, { documents: docs })).toMatchObject({ n: 3, ok: 1 });
    const updates = [{ q: { _id: 1 }, u: { $set: { v: 'A' } } }, { q: { _id: 9 }, u: { $set: { v: 'Z' } }, upsert: true }];
    expect(await opMsg({ update: 'seq', $db: db }, { updates })).toMatchObject({ n: 2, nModified: 1, ok: 1 });
    expect(await opMsg({ delete: 'seq', $db: db }, { deletes: [{ q: { _id: 2 }, limit: 1 }] })).toMatchObject({ n: 1, ok: 1 });
    const found = await opMsg({ find: 'seq', filter: {}, sort: { _id: 1 }, $db: db });
    expect(found.cursor.firstBatch).toEqual([{ _id: 1, v: 'A' }, { _id: 3, v: 'c' }, { _id: 9, v: 'Z' }]);
  });

  it('answers unknown commands with CommandNotFound', async () => {
    expect(await opMsg({ notACommand: 1, $db: db })).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound', errmsg: "no such command: 'notACommand'" });
  });
});
