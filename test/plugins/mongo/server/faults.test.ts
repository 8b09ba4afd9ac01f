import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { MongoClient, MongoNetworkError, MongoServerError } from 'mongodb';
import { MongoTestServer } from '../../../../plugins/mongo/server';

// Fault injection exists only on the test server, so this file never uses MONGO_URL.
let server: MongoTestServer;
let client: MongoClient;

beforeAll(async () => {
  server = await MongoTestServer.start();
  client = new MongoClient(server.uri);
  await client.connect();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});
beforeEach(() => {
  server.faults.clear();
});

const coll = () => client.db('faults').collection('items');

describe('fault injection', () => {
  it('failNextWrites fails exactly the next n writes and leaves reads alone', async () => {
    // WriteConflict, not a shutdown code: those make the driver mark the server unknown and stall.
    server.faults.failNextWrites(2, { code: 112, errmsg: 'Write conflict during plan execution' });
    const first = (await coll().insertOne({ a: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(first).toBeInstanceOf(MongoServerError);
    expect([first.code, first.codeName, first.message]).toEqual([112, 'WriteConflict', 'Write conflict during plan execution']);
    expect(await coll().countDocuments()).toBe(0);
    const second = (await coll().updateOne({ a: 1 }, { $set: { b: 1 } }, { upsert: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(second.code).toBe(112);
    await coll().insertOne({ a: 2 });
    expect(await coll().countDocuments({ a: 2 })).toBe(1);
  });

  it('clear() cancels pending failures', async () => {
    server.faults.failNextWrites(5, { code: 11600 });
    server.faults.clear();
    await expect(coll().insertOne({ a: 3 })).resolves.toMatchObject({ acknowledged: true });
  });

  it('setLatency delays replies until cleared', async () => {
    const admin = client.db('admin');
    server.faults.setLatency(120);
    let started = performance.now();
    await admin.command({ ping: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    server.faults.setLatency(0);
    started = performance.now();
    await admin.command({ ping: 1 });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('dropConnections closes every socket; the driver reconnects', async () => {
    await coll().insertOne({ a: 4 });
    expect(server.connectionCount).toBeGreaterThan(0);
    expect(server.faults.dropConnections()).toBeGreaterThan(0);
    expect(server.connectionCount).toBe(0);
    const attempt = await coll().findOne({ a: 4 }).catch((e: unknown) => e);
    if (attempt instanceof Error) expect(attempt).toBeInstanceOf(MongoNetworkError);
    expect(await coll().findOne({ a: 4 }, { projection: { _id: 0 } })).toEqual({ a: 4 });
  });
});
