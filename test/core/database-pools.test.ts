/**
 * Issue 11 item 8: the @Database pools and URL resolver have one owner per process. A container built later does
 * not re-point the pools at its settings, closing it leaves the owner's pools open, and when the owner closes the
 * next container takes over with its own settings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Database, DatabaseBase } from '../../app';
import { Container } from '../../app/core/runtime/container';
import { databasePools } from '../../app/core/structures/database-pools';
import { registryOf } from '../support/harness';
import { createTestEnv, dropDatabase, type TestEnv } from '../support/isolation';

@Database({ name: 'owned', urlEnv: 'OWNED_DB_URL', createDatabase: true })
class OwnedDb extends DatabaseBase {}

const envs: TestEnv[] = [];
const names: string[] = [];

function container(label: string): { c: Container; dbName: string } {
  const testEnv = createTestEnv(label);
  envs.push(testEnv);
  const dbName = `${testEnv.name}_own`;
  names.push(dbName);
  const env = { ...process.env, ...testEnv.env, OWNED_DB_URL: `${testEnv.databaseUrl}_own` };
  return { c: new Container({ role: `pools-${label}`, env, registry: registryOf([OwnedDb], env), console: false }), dbName };
}

async function currentDatabase(): Promise<string> {
  await OwnedDb.ready();
  const [rows] = await OwnedDb.pool().query<RowDataPacket[]>('SELECT DATABASE() AS db');
  return String(rows[0].db);
}

afterAll(async () => {
  await databasePools.closeAll();
  for (const n of names) await dropDatabase(n);
  for (const e of envs) await e.cleanup();
});

describe('database pools', () => {
  it('belong to the first container until it closes, then to the next one', async () => {
    const a = container('a');
    const b = container('b');
    expect(databasePools.isOwner(a.c)).toBe(true);
    expect(databasePools.isOwner(b.c)).toBe(false);
    expect(await currentDatabase()).toBe(a.dbName);

    const later = container('c');
    expect(await currentDatabase()).toBe(a.dbName); // a later container does not re-point the pools
    await later.c.close(100);
    expect(await currentDatabase()).toBe(a.dbName); // closing it leaves the owner's pool open

    await a.c.close(100);
    expect(databasePools.isOwner(b.c)).toBe(true);
    expect(await currentDatabase()).toBe(b.dbName);
    await b.c.close(100);
  });
});
