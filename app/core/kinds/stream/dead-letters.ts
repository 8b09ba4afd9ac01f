/** The dead-letter stream of a `@Stream` worker as the API sees it: list (cursor-paginated), replay, delete. */
import type { Redis } from 'ioredis';
import type { StreamKeys } from './stream.redis';
import { assertExec } from './stream.redis';

export interface DeadEntry {
  /** Id in the dead-letter stream (use it to replay or delete). */
  id: string;
  originalId: string;
  fields: Record<string, string>;
  deliveries: number;
  error: string;
  consumer: string;
  deadAt: string;
}

type Raw = Array<[string, string[]]>;

function parse([id, flat]: [string, string[]]): DeadEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  let fields: Record<string, string> = {};
  try {
    fields = JSON.parse(f.fields ?? '{}') as Record<string, string>;
  } catch {
    fields = { _raw: f.fields ?? '' };
  }
  return { id, originalId: f.originalId ?? '', fields, deliveries: Number(f.deliveries ?? 0), error: f.error ?? '', consumer: f.consumer ?? '', deadAt: f.deadAt ?? '' };
}

/** Oldest first; `cursor` is the last id of the previous page. */
export async function listDead(redis: Redis, keys: StreamKeys, limit: number, cursor?: string): Promise<{ items: DeadEntry[]; nextCursor: string | null }> {
  const raw = (await redis.xrange(keys.dead, cursor ? `(${cursor}` : '-', '+', 'COUNT', limit + 1)) as Raw;
  const items = raw.slice(0, limit).map(parse);
  return { items, nextCursor: raw.length > limit ? items[items.length - 1].id : null };
}

/** The dead entries with these ids, in order; ids not in the dead stream are returned as `missing`. */
export async function findDead(redis: Redis, keys: StreamKeys, ids: readonly string[]): Promise<{ found: DeadEntry[]; missing: string[] }> {
  const pipe = redis.pipeline();
  for (const id of ids) pipe.xrange(keys.dead, id, id);
  const found: DeadEntry[] = [];
  const missing: string[] = [];
  ((await pipe.exec()) ?? []).forEach(([err, rows], i) => {
    if (err) throw err;
    const row = (rows as Raw)[0];
    if (row) found.push(parse(row));
    else missing.push(ids[i]);
  });
  return { found, missing };
}

/** Puts entries back on the stream as new entries and removes them from the dead stream, in one MULTI. */
export async function replayDead(redis: Redis, keys: StreamKeys, entries: readonly DeadEntry[]): Promise<string[]> {
  if (!entries.length) return [];
  const m = redis.multi();
  for (const e of entries) {
    const flat = Object.entries(e.fields).flat();
    m.xadd(keys.stream, '*', ...(flat.length ? flat : ['_empty', '']));
  }
  m.xdel(keys.dead, ...entries.map((e) => e.id));
  const res = await m.exec();
  assertExec(res, 'replaying dead entries');
  return res!.slice(0, entries.length).map(([, id]) => String(id));
}

/** Replays the whole dead stream, `chunk` entries per MULTI. Returns how many went back. */
export async function replayAllDead(redis: Redis, keys: StreamKeys, chunk: number): Promise<number> {
  let total = 0;
  for (;;) {
    const raw = (await redis.xrange(keys.dead, '-', '+', 'COUNT', chunk)) as Raw;
    if (!raw.length) return total;
    total += (await replayDead(redis, keys, raw.map(parse))).length;
  }
}

export async function deleteDead(redis: Redis, keys: StreamKeys, id: string): Promise<boolean> {
  return (await redis.xdel(keys.dead, id)) > 0;
}
