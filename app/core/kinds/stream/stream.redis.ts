/** The Redis side of a stream worker that is not the read loop: keys, the group, its figures, dead-lettering. */
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from '../../services/redis';
import type { StreamDefinition } from './stream.definition';
import type { StreamEntry } from './stream-worker';

export interface StreamKeys {
  stream: string;
  dead: string;
  /** Hash entry id → last error of entries that failed and wait for another delivery. */
  errors: string;
  state: string;
}

export function streamKeys(keys: RedisKeys, def: StreamDefinition): StreamKeys {
  return {
    stream: `${keys.prefix}${def.stream}`,
    dead: `${keys.prefix}${def.deadLetterStream}`,
    errors: `${keys.prefix}rt:stream-errors:${def.id}`,
    state: keys.state(def.id),
  };
}

/** Creates the group (reading the stream from its start) and the stream itself when missing. */
export async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!/BUSYGROUP/.test((err as Error).message)) throw err;
  }
}

export interface GroupFigures {
  consumers: number;
  pending: number;
  /** Entries not yet delivered to the group (null when Redis cannot tell, e.g. after XDEL of unread entries). */
  lag: number | null;
  length: number;
}

function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** XINFO GROUPS + XLEN: what `/workers/:id` shows of the group. */
export async function groupFigures(redis: Redis, stream: string, group: string): Promise<GroupFigures | null> {
  const [groups, length] = await Promise.all([redis.xinfo('GROUPS', stream) as Promise<unknown[][]>, redis.xlen(stream)]);
  const g = groups.map(pairs).find((x) => x.name === group);
  if (!g) return null;
  return { consumers: Number(g.consumers), pending: Number(g.pending), lag: g.lag === null || g.lag === undefined ? null : Number(g.lag), length };
}

/** Removes consumers of dead processes: nothing pending and idle longer than `idleMs`. Returns how many. */
export async function pruneConsumers(redis: Redis, stream: string, group: string, idleMs: number, keep: string): Promise<number> {
  const consumers = ((await redis.xinfo('CONSUMERS', stream, group)) as unknown[][]).map(pairs);
  let removed = 0;
  for (const c of consumers) {
    if (c.name === keep || Number(c.pending) > 0 || Number(c.idle) < idleMs) continue;
    await redis.xgroup('DELCONSUMER', stream, group, String(c.name));
    removed++;
  }
  return removed;
}

/** Fields of a dead-letter entry (the original fields are kept as JSON so no name can collide). */
export function deadFields(entry: StreamEntry, error: string, streamName: string, consumer: string): string[] {
  return [
    'fields', JSON.stringify(entry.fields), 'originalId', entry.id, 'deliveries', String(entry.deliveries), 'error', error,
    'stream', streamName, 'consumer', consumer, 'deadAt', new Date().toISOString(),
  ];
}

/**
 * Acks the entry and, only if this ack took it off the pending list, appends it to the dead-letter stream (and drops
 * its last error). Two consumers holding the same entry (one reclaimed it from the other while a slow batch was
 * still running) dead-letter it once: the second finds it acked already. Replies 1 when it wrote the dead letter.
 */
const DEAD_LETTER_ONCE = `
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
  redis.call('HDEL', KEYS[3], ARGV[2])
  return 1
end
redis.call('HDEL', KEYS[3], ARGV[2])
return 0
`;

/** Queues, on a MULTI, the dead-lettering of an entry (see DEAD_LETTER_ONCE): never in both or neither, and once. */
export function queueDeadLetter(m: ChainableCommander, keys: StreamKeys, group: string, entry: StreamEntry, error: string, streamName: string, consumer: string): void {
  m.eval(DEAD_LETTER_ONCE, 3, keys.stream, keys.dead, keys.errors, group, entry.id, ...deadFields(entry, error, streamName, consumer));
}

/** Fails with the first error of an exec() reply (ioredis resolves a MULTI with per-command errors). */
export function assertExec(res: Array<[Error | null, unknown]> | null, what: string): void {
  if (!res) throw new Error(`${what}: the transaction was discarded`);
  for (const [err] of res) if (err) throw new Error(`${what}: ${err.message}`);
}
