/**
 * Enqueue throughput: N jobs of one worker through `enqueueMany` (one addBulk + one batch of queued rows) against
 * `enqueue` called N times (500 in flight, as bench/core.ts produces) and bare Bull `addBulk` of the same jobs, in
 * the same run. The timer covers the enqueue until every queued row is written (Bull alone writes no row).
 */
import 'reflect-metadata';
import Bull from 'bull';
import { Schedule, ScheduleWorker } from '../app';
import { Container } from '../app/core/runtime/container';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { dropIsolated, intArg, isolatedNames, REDIS_URL, report, round } from './support';

const JOBS = intArg('jobs', 10_000);
const ROUNDS = intArg('rounds', 3);

@Schedule({ id: 'bench-enqueue' })
class EnqueueTarget extends ScheduleWorker {
  run() {
    return null;
  }
}

async function bareBull(prefix: string, r: number): Promise<number> {
  const q = new Bull(`bare-enqueue-${r}`, REDIS_URL, { prefix: `${prefix}bare` });
  await q.isReady();
  const started = performance.now();
  await q.addBulk(Array.from({ length: JOBS }, (_, i) => ({ data: { i }, opts: { delay: 60_000, removeOnComplete: 1000 } })));
  const ms = performance.now() - started;
  await q.close();
  return ms;
}

async function sluice(names: ReturnType<typeof isolatedNames>, r: number, bulk: boolean): Promise<number> {
  const env = { ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: `${names.prefix}r${r}${bulk ? 'bulk' : 'one'}:`, LOG_LEVEL: 'warn' };
  const registry = buildRegistry([{ decl: declarationOf(EnqueueTarget)!, file: __filename }], { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const c = new Container({ role: 'bench-producer', env, registry, console: false });
  await c.init();
  await c.mirror.seedRegistry(registry);
  await c.queues.get('bench-enqueue').isReady();
  const started = performance.now();
  if (bulk) {
    await c.dispatcher.enqueueMany('bench-enqueue', Array.from({ length: JOBS }, (_, i) => ({ params: { i }, delayMs: 60_000 })));
  } else {
    for (let i = 0; i < JOBS; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => c.dispatcher.enqueue('bench-enqueue', { i: i + k }, { delayMs: 60_000 })));
    }
  }
  await c.recorder.drain(60_000);
  const ms = performance.now() - started;
  const [rows] = await c.core.pool.query("SELECT COUNT(*) AS n FROM executions WHERE worker_id = 'bench-enqueue' AND status = 'queued'");
  const n = Number((rows as Array<{ n: number }>)[0].n);
  await c.core.pool.query("DELETE FROM executions WHERE worker_id = 'bench-enqueue'");
  await c.close();
  if (n !== JOBS) throw new Error(`expected ${JOBS} queued rows, found ${n}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const names = isolatedNames('enqueue');
  try {
    const bull: number[] = [];
    const many: number[] = [];
    const one: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bull.push(await bareBull(names.prefix, r));
      many.push(await sluice(names, r, true));
      one.push(await sluice(names, r, false));
    }
    const [b, m, o] = [median(bull), median(many), median(one)];
    report({
      bench: 'enqueue', jobs: JOBS, rounds: ROUNDS,
      enqueue_many_jobs_per_s: round(JOBS / (m / 1000)), enqueue_jobs_per_s: round(JOBS / (o / 1000)), bull_add_bulk_jobs_per_s: round(JOBS / (b / 1000)),
      ratio_many_to_bull: round(m / b, 2), speedup_many_over_enqueue: round(o / m, 2),
    });
  } finally {
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
