/**
 * An entry held by two consumers (one reclaimed it while the other's slow batch still ran) is dead-lettered once:
 * the dead-letter script acks first and writes the letter only if its ack took the entry off the pending list.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { queueDeadLetter, type StreamKeys } from '../../app/core/kinds/stream/stream.redis';
import { deleteKeys, REDIS_URL } from '../support/isolation';

const prefix = `sluice_t_deadonce_${process.pid}:`;
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
});

describe('dead-lettering', () => {
  it('writes one dead letter when two consumers settle the same entry as dead', async () => {
    const keys: StreamKeys = { stream: `${prefix}s`, dead: `${prefix}s:dead`, errors: `${prefix}errors`, state: `${prefix}state` };
    await redis.xgroup('CREATE', keys.stream, 'g', '0', 'MKSTREAM');
    const id = await redis.xadd(keys.stream, '*', 'order', '42');
    await redis.xreadgroup('GROUP', 'g', 'a', 'COUNT', 1, 'STREAMS', keys.stream, '>');
    // b takes it over (as XAUTOCLAIM does past claimIdleMs) while a still works on it.
    await redis.xclaim(keys.stream, 'g', 'b', 0, id!);
    await redis.hset(keys.errors, id!, 'boom');
    const entry = { id: id!, fields: { order: '42' }, deliveries: 3 };
    const settle = async (consumer: string) => {
      const m = redis.multi();
      queueDeadLetter(m, keys, 'g', entry, `failed in ${consumer}`, 's', consumer);
      const res = await m.exec();
      return Number(res![0]![1]);
    };
    expect(await settle('b')).toBe(1);
    expect(await settle('a')).toBe(0);
    const dead = await redis.xrange(keys.dead, '-', '+');
    expect(dead).toHaveLength(1);
    const fields = Object.fromEntries(Array.from({ length: dead[0]![1].length / 2 }, (_, i) => [dead[0]![1][2 * i], dead[0]![1][2 * i + 1]]));
    expect(fields).toMatchObject({ originalId: id, error: 'failed in b', consumer: 'b', deliveries: '3', fields: JSON.stringify({ order: '42' }) });
    expect(await redis.xpending(keys.stream, 'g')).toEqual([0, null, null, null]);
    expect(await redis.hexists(keys.errors, id!)).toBe(0);
  });
});
