import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeMongoHubs, getMongoHub, MongoHub, type MongoLogger } from '../../../plugins/mongo';
import { MongoTestServer } from '../../../plugins/mongo/server';

type LogFn = MongoLogger['warn'];

function spyLogger() {
  return { warn: vi.fn<LogFn>(), info: vi.fn<LogFn>() } satisfies MongoLogger;
}

afterEach(async () => {
  await closeMongoHubs();
});

describe('connection hub', () => {
  it('starts the in-memory test server in dev mode, warns, and shares one client', async () => {
    const logger = spyLogger();
    const [a, b] = await Promise.all([getMongoHub({ allowTestServer: true, logger }), getMongoHub({ allowTestServer: true, logger })]);
    expect(a).toBe(b);
    expect(a.usingTestServer).toBe(true);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatch(/not kept/i);
    await a.db().collection('c').insertOne({ x: 1 });
    expect(await a.db().collection('c').countDocuments()).toBe(1);
    expect(a.db().databaseName).toBe('sluice');
  });

  it('refuses to run without a url unless the test server is allowed', async () => {
    await expect(getMongoHub({ logger: spyLogger() })).rejects.toThrow(/url is not configured/);
  });

  it('uses the database named in the url and a new client after close()', async () => {
    const server = await MongoTestServer.start();
    try {
      const hub = await getMongoHub({ url: `${server.uri}/shop`, logger: spyLogger() });
      expect(hub.usingTestServer).toBe(false);
      expect(hub.db().databaseName).toBe('shop');
      await hub.close();
      const next = await getMongoHub({ url: `${server.uri}/shop`, logger: spyLogger() });
      expect(next).not.toBe(hub);
    } finally {
      await closeMongoHubs();
      await server.stop();
    }
  });

  it('ping reports readiness and latency, and a bounded failure when the server is gone', async () => {
    const server = await MongoTestServer.start();
    const hub = await MongoHub.connect({ url: server.uri, logger: spyLogger(), pingTimeoutMs: 300 });
    try {
      const up = await hub.ping();
      expect(up.ok).toBe(true);
      expect(up.latencyMs).toBeGreaterThanOrEqual(0);
      server.faults.setLatency(1_000);
      const slow = await hub.ping();
      expect(slow).toMatchObject({ ok: false, error: expect.stringMatching(/timed out/) });
      expect(slow.latencyMs).toBeLessThan(900);
    } finally {
      await hub.close();
      await server.stop();
    }
  });
});
