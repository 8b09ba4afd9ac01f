import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { IndexRegistry, declareIndexes, indexRegistry } from '../../../plugins/mongo';
import { MongoTestServer } from '../../../plugins/mongo/server';

let server: MongoTestServer;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await MongoTestServer.start();
  client = new MongoClient(server.uri);
  db = client.db('plugin_indexes');
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('declared indexes', () => {
  it('are created by ensure() and enforced', async () => {
    const registry = new IndexRegistry();
    registry.declare('products', [{ key: { shop: 1, sku: 1 }, unique: true }, { key: { updated_at: -1 } }]);
    registry.declare('offers', [{ key: { url: 1 }, unique: true, name: 'offer_url' }]);
    expect(await registry.ensure(db)).toEqual({ products: ['shop_1_sku_1', 'updated_at_-1'], offers: ['offer_url'] });
    expect(await registry.ensure(db)).toEqual({ products: ['shop_1_sku_1', 'updated_at_-1'], offers: ['offer_url'] });
    await db.collection('products').insertOne({ shop: 's', sku: 'a' });
    const dup = (await db.collection('products').insertOne({ shop: 's', sku: 'a' }).catch((e: unknown) => e)) as MongoServerError;
    expect(dup.code).toBe(11000);
  });

  it('a re-declared key pattern replaces the earlier declaration', () => {
    const registry = new IndexRegistry();
    registry.declare('c', [{ key: { a: 1 } }]);
    registry.declare('c', [{ key: { a: 1 }, unique: true }, { key: { b: 1 } }]);
    expect(registry.declared().get('c')).toEqual([{ key: { a: 1 }, unique: true }, { key: { b: 1 } }]);
  });

  it('declareIndexes feeds the process-wide registry', () => {
    declareIndexes('global_test', [{ key: { g: 1 } }]);
    expect(indexRegistry.declared().get('global_test')).toEqual([{ key: { g: 1 } }]);
    indexRegistry.clear();
  });
});
