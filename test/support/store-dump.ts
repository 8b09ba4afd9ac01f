/** Whole-store dumps for "this secret is found nowhere" checks: every Redis value under a prefix, every MySQL row. */
import type { Redis } from 'ioredis';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * Every key under `prefix` with its value as text (JSON for hashes, lists, sets, sorted sets and streams).
 * `streams: false` leaves streams (BullMQ's event streams among them) out.
 */
export async function redisDump(redis: Redis, prefix: string, opts: { streams?: boolean } = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') out[key] = (await redis.get(key)) ?? '';
      else if (type === 'hash') out[key] = JSON.stringify(await redis.hgetall(key));
      else if (type === 'list') out[key] = JSON.stringify(await redis.lrange(key, 0, -1));
      else if (type === 'set') out[key] = JSON.stringify(await redis.smembers(key));
      else if (type === 'zset') out[key] = JSON.stringify(await redis.zrange(key, 0, -1));
      else if (type === 'stream' && opts.streams !== false) out[key] = JSON.stringify(await redis.xrange(key, '-', '+'));
    }
  } while (cursor !== '0');
  return out;
}

/** Every key under `prefix` and its value, one per line. */
export async function everyRedisValue(redis: Redis, prefix: string): Promise<string> {
  return Object.entries(await redisDump(redis, prefix)).flat().join('\n');
}

/** Every row of every table in the pool's database as JSON, one table per line. */
export async function everyRow(pool: Pool): Promise<string> {
  const [tables] = await pool.query<RowDataPacket[]>('SHOW TABLES');
  const out: string[] = [];
  for (const t of tables) {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT * FROM \`${String(Object.values(t)[0])}\``);
    out.push(JSON.stringify(rows));
  }
  return out.join('\n');
}
