import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { openHarness, type MongoHarness } from './harness';

let h: MongoHarness;

beforeAll(async () => {
  h = await openHarness('admin');
});
afterAll(async () => {
  await h.close();
});

describe('server commands', () => {
  it('ping, hello and buildInfo', async () => {
    expect(await h.db.admin().ping()).toMatchObject({ ok: 1 });
    const hello = await h.db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    const info = await h.db.admin().buildInfo();
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.versionArray).toHaveLength(4);
  });

  it('answers unknown commands with CommandNotFound', async () => {
    const err = (await h.db.command({ frobnicate: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.errorResponse).toMatchObject({ ok: 0, errmsg: "no such command: 'frobnicate'", code: 59, codeName: 'CommandNotFound' });
  });

  it('endSessions succeeds', async () => {
    const session = h.client.startSession();
    await h.db.collection('s').insertOne({ a: 1 }, { session });
    await session.endSession();
    expect(await h.db.admin().command({ endSessions: [session.id] })).toMatchObject({ ok: 1 });
  });
});

describe('collections and databases', () => {
  it('create, listCollections with filter and nameOnly, NamespaceExists', async () => {
    await h.db.createCollection('alpha');
    await h.db.collection('beta').insertOne({ x: 1 });
    const names = (await h.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(expect.arrayContaining(['alpha', 'beta']));
    const filtered = await h.db.listCollections({ name: 'alpha' }).toArray();
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toMatchObject({ name: 'alpha', type: 'collection' });
    const err = (await h.db.command({ create: 'alpha' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(48);
    expect(err.codeName).toBe('NamespaceExists');
  });

  it('drop removes a collection with its documents', async () => {
    await h.db.collection('gamma').insertMany([{ a: 1 }, { a: 2 }]);
    expect(await h.db.collection('gamma').drop()).toBe(true);
    expect(await h.db.listCollections({ name: 'gamma' }).toArray()).toEqual([]);
    expect(await h.db.collection('gamma').countDocuments()).toBe(0);
  });

  it('listDatabases and dropDatabase', async () => {
    const other = h.client.db(`${h.db.databaseName}_x`);
    await other.collection('c').insertOne({ a: 1 });
    const listed = await h.db.admin().listDatabases({ nameOnly: true });
    expect(listed.databases.map((d) => d.name)).toContain(other.databaseName);
    expect(await other.dropDatabase()).toBe(true);
    const after = await h.db.admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });
});
