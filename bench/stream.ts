/**
 * Entries/s drained by one `@Stream` consumer with a no-op handler (batch 100), next to a bare XREADGROUP/XACK loop
 * on the same pre-filled stream, in alternating rounds (medians). Each side reads the whole stream through its own
 * consumer group from the first entry; the timer runs from the group's reset to "nothing pending, nothing unread".
 */
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { Stream, StreamWorker, type StreamEntry } from '../app';
import { Container } from '../app/core/runtime/container';
import { startWorkerRole } from '../app/core/runtime/worker';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { dropIsolated, intArg, isolatedNames, REDIS_URL, report, round } from './support';

const ENTRIES = intArg('entries', 50_000);
const BATCH = intArg('batch', 100);
const ROUNDS = intArg('rounds', 5);
const STREAM = 'bench:in';

let handled = 0;
let onHandled: (() => void) | null = null;

// A short block: after the group is reset to the start, a read already blocked wakes only at its timeout.
@Stream({ id: 'bench-stream', stream: STREAM, group: 'sluice', batchSize: BATCH, blockMs: 10 })
class NoopStream extends StreamWorker {
  handle(entries: readonly StreamEntry[]): void {
    handled += entries.length;
    if (handled >= ENTRIES) onHandled?.();
  }
}

async function fill(redis: Redis, key: string): Promise<void> {
  for (let i = 0; i < ENTRIES; i += 1_000) {
    const pipe = redis.pipeline();
    for (let n = i; n < Math.min(ENTRIES, i + 1_000); n++) pipe.xadd(key, '*', 'n', String(n), 'payload', 'x'.repeat(64));
    await pipe.exec();
  }
}

async function drained(redis: Redis, key: string, group: string): Promise<void> {
  for (;;) {
    const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
    const g = groups.map((row) => Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [row[2 * i], row[2 * i + 1]]))).find((x) => x.name === group);
    if (g && Number(g.pending) === 0 && Number(g.lag) === 0) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The hand-written reference: one connection, read a batch, ack it, repeat. */
async function bare(redis: Redis, key: string, r: number): Promise<number> {
  const group = `bare-${r}`;
  await redis.xgroup('CREATE', key, group, '0');
  const started = performance.now();
  let seen = 0;
  while (seen < ENTRIES) {
    const res = (await redis.xreadgroup('GROUP', group, 'c', 'COUNT', BATCH, 'BLOCK', 100, 'STREAMS', key, '>')) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = res?.[0]?.[1] ?? [];
    if (!entries.length) continue;
    await redis.xack(key, group, ...entries.map(([id]) => id));
    seen += entries.length;
  }
  await drained(redis, key, group);
  const ms = performance.now() - started;
  await redis.xgroup('DESTROY', key, group);
  return ms;
}

/** The worker role runs with the group parked at the stream's end; the timer starts when it is moved to the start. */
async function sluice(c: Container, redis: Redis, key: string): Promise<number> {
  await redis.xgroup('DESTROY', key, 'sluice').catch(() => undefined);
  await redis.xgroup('CREATE', key, 'sluice', '$');
  const role = await startWorkerRole(c);
  handled = 0;
  const done = new Promise<void>((resolve) => {
    onHandled = resolve;
  });
  const started = performance.now();
  await redis.xgroup('SETID', key, 'sluice', '0');
  await done;
  await drained(redis, key, 'sluice');
  const ms = performance.now() - started;
  await role.stop();
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const names = isolatedNames('stream');
  const redis = new Redis(REDIS_URL);
  const key = `${names.prefix}${STREAM}`;
  const env = { ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '5000' };
  const decl = declarationOf(NoopStream)!;
  const registry = buildRegistry([{ decl, file: __filename }], { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const c = new Container({ role: 'bench-stream', env, registry, console: false });
  try {
    await c.init();
    await fill(redis, key);
    const bareRuns: number[] = [];
    const sluiceRuns: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRuns.push(await bare(redis, key, r));
      sluiceRuns.push(await sluice(c, redis, key));
    }
    const bareMs = median(bareRuns);
    const sluiceMs = median(sluiceRuns);
    report({
      bench: 'stream', entries: ENTRIES, batch: BATCH, rounds: ROUNDS,
      sluice_entries_per_s: round(ENTRIES / (sluiceMs / 1000)), bare_entries_per_s: round(ENTRIES / (bareMs / 1000)),
      ratio: round(sluiceMs / bareMs, 2), target_ratio: 1.3,
    });
  } finally {
    await c.close().catch(() => undefined);
    await redis.quit();
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
