/**
 * Push notifications through one worker process against the fake FCM (SPEC §8.5, §10): pushes/s and the worker's
 * peak RSS for the bucketed pipeline (push-job → push-send tasks), next to the naive one-job-per-push shape
 * (bench/push-naive) in the same run, and their ratio. MongoDB (the wire test server) runs in this process, the
 * fake FCM in a child process of its own (FCM is a remote service: its CPU must not slow MongoDB's answers), and
 * each shape in its own worker child process.
 *
 *   npm run bench -- push [--users 25000] [--naive-users 2000] [--latency 50] [--in-flight 500] [--concurrency 8]
 *                         [--dist 1] [--worker-heap-mb 0] [--worker-flags prod|none]
 *
 * Both shapes' workers start with the node flags of `npm run start:worker` (the production command: a small young
 * generation), unless `--worker-flags none`.
 *
 * BENCH_PUSH_NODE_FLAGS (env) adds node/V8 flags to the pipeline worker (`--cpu-prof`, `--trace-gc`, …).
 *
 * By default (`--dist 1`) the pipeline worker runs from the compiled build, as production does (`npm run build` runs
 * first, so the build is the sources'): a worker under tsx carries the loader thread and transpiled sources (30 to
 * 60 MB more RSS), which no deployed worker has. `--dist 0` runs it under tsx.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { MongoClient, type Db } from 'mongodb';
import { Container } from '../app/core/runtime/container';
import { fork, type ChildProcess as Forked } from 'node:child_process';
import { startFakeFcm, type FakeFcm } from '../test/fakes/fcm';
import { MongoTestServer } from '../test/support/mongo-server';
import { createJob } from '../workers/push/jobs.repository';
import { pushStore } from '../workers/push/store';
import { dropIsolated, intArg, isolatedNames, REDIS_URL, report, round } from './support';

const USERS = intArg('users', 25_000);
const NAIVE_USERS = intArg('naive-users', 2_000);
const LATENCY = intArg('latency', Number(process.env.FCM_FAKE_LATENCY_MS ?? 50));
const IN_FLIGHT = intArg('in-flight', 500);
const CONCURRENCY = intArg('concurrency', 8);
const DIST = intArg('dist', 1) === 1;
/** V8 old-space cap of the pipeline worker in MB (0 = Node's default); a container would set it the same way. */
const HEAP_MB = intArg('worker-heap-mb', 0);
const ROOT = path.resolve(__dirname, '..');
/** `--worker-flags prod` (the default) starts both shapes' workers with the production flags; `none` without. */
const WORKER_FLAGS = process.argv.includes('--worker-flags') && process.argv[process.argv.indexOf('--worker-flags') + 1] === 'none' ? [] : productionWorkerFlags();

const log = (line: string): void => void process.stderr.write(`[bench push] ${line}\n`);

/**
 * The node flags a production worker starts with: those of `npm run start:worker` (package.json), which the
 * Dockerfile and docker-compose.yml use too. The young generation can only be sized at start (docs/push.md).
 */
function productionWorkerFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts['start:worker'].split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/run-worker.js')).filter((w) => w.startsWith('--'));
}

function startWorker(env: NodeJS.ProcessEnv, label: string, dist = false): Promise<ChildProcess> {
  const flags = label === 'pipeline' && process.env.BENCH_PUSH_NODE_FLAGS ? process.env.BENCH_PUSH_NODE_FLAGS.split(' ').filter(Boolean) : [];
  const heap = [...WORKER_FLAGS, ...(dist && HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : []), ...flags];
  const args = dist ? [...heap, path.join(ROOT, 'dist/run-worker.js')] : [...heap, '--import', 'tsx', path.join(ROOT, 'run-worker.ts')];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      if (/"level":"(error|warn)"|Error/.test(line)) log(`${label}: ${line.slice(0, 300)}`);
      if (/worker consuming/.test(line)) resolve(proc);
    };
    readline.createInterface({ input: proc.stdout! }).on('line', onLine);
    readline.createInterface({ input: proc.stderr! }).on('line', onLine);
    proc.once('exit', (code) => reject(new Error(`${label} worker exited with ${code} before it was ready`)));
  });
}

/** Peak (VmHWM) or current (VmRSS) resident set of a live process, in MB (Linux). */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : NaN;
}

/** CPU seconds (user + system) a live process has used so far (Linux, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

interface FcmStats {
  acceptedTotal: number;
  duplicates: number;
  tokenRequests: number;
  maxInFlight: number;
  /** Mean of the requests the fake held (waiting out its latency) since the last `sample`, sampled every 10 ms. */
  meanInFlight: number;
  cpuMs: number;
}

/** The fake FCM in its own process (this file run with --fcm-child), asked for its figures over IPC. */
class RemoteFcm {
  private waiting = new Map<number, (s: FcmStats) => void>();
  private seq = 0;
  private constructor(private readonly proc: Forked, readonly baseUrl: string, readonly serviceAccount: unknown) {
    proc.on('message', (m: { type: string; id: number; stats: FcmStats }) => {
      if (m.type === 'stats') this.waiting.get(m.id)?.(m.stats);
      this.waiting.delete(m.id);
    });
  }

  static start(latencyMs: number): Promise<RemoteFcm> {
    const proc = fork(__filename, ['--fcm-child', '--latency', String(latencyMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      proc.once('message', (m: { baseUrl: string; serviceAccount: unknown }) => resolve(new RemoteFcm(proc, m.baseUrl, m.serviceAccount)));
      proc.once('exit', (code) => reject(new Error(`fake FCM exited with ${code}`)));
    });
  }

  /** Its figures; `sample` restarts the in-flight mean. */
  stats(sample = false): Promise<FcmStats> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.send({ type: 'stats', id, sample });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'close' });
    await exited;
  }
}

async function fcmChild(): Promise<void> {
  const fcm: FakeFcm = await startFakeFcm({ latencyMs: LATENCY });
  let samples = 0;
  let sum = 0;
  setInterval(() => {
    samples++;
    sum += fcm.stats.inFlight;
  }, 10);
  process.on('message', (m: { type: string; id: number; sample: boolean }) => {
    if (m.type === 'close') {
      void fcm.close().then(() => process.exit(0));
      return;
    }
    const cpu = process.cpuUsage();
    const stats: FcmStats = {
      acceptedTotal: fcm.stats.acceptedTotal, duplicates: fcm.duplicates().length, tokenRequests: fcm.token.requests, maxInFlight: fcm.stats.maxInFlight,
      meanInFlight: samples ? sum / samples : 0, cpuMs: (cpu.user + cpu.system) / 1000,
    };
    if (m.sample) samples = sum = 0;
    process.send!({ type: 'stats', id: m.id, stats });
  });
  process.send!({ baseUrl: fcm.baseUrl, serviceAccount: fcm.serviceAccount });
}

async function seed(db: Db, users: number, prefix: string): Promise<number> {
  const store = await pushStore(db);
  const now = new Date();
  let n = 0;
  for (let u = 0; u < users; u += 1_000) {
    const docs = [];
    for (let i = u; i < Math.min(users, u + 1_000); i++) {
      for (let k = 0; k < 2; k++) docs.push({ _id: `${prefix}-${i}-${k}`, token: `${prefix}-${i}-${k}`, userId: `${prefix}-user-${i}`, platform: 'android' as const, app: 'bench', device: {}, active: true, lastSeenAt: now, createdAt: now, updatedAt: now });
    }
    await store.tokens.insertMany(docs);
    n += docs.length;
  }
  return n;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

async function pipelineRun(env: NodeJS.ProcessEnv, db: Db, fcm: RemoteFcm): Promise<Record<string, number>> {
  const pushes = await seed(db, USERS, 'p');
  const c = new Container({ role: 'bench-push', env, console: false });
  await c.init();
  const worker = await startWorker(DIST ? { ...env, WORKERS_DIR: 'dist/workers/push' } : env, 'pipeline', DIST);
  const atReady = rssMb(worker.pid!, 'VmRSS');
  const cpuAtReady = cpuSeconds(worker.pid!);
  const store = await pushStore(db);
  const job = await createJob(store, [{ notification: { title: 'Bench', body: 'pipeline' } }], [{ userIds: Array.from({ length: USERS }, (_, i) => `p-user-${i}`) }], false);
  const before = await fcm.stats(true);
  const started = performance.now();
  const hostCpu = process.cpuUsage();
  await c.dispatcher.enqueue('push-job', { jobId: job._id });
  // Only the status: the job document holds every target (25,000 user ids), too much to read 20 times a second.
  await until(async () => (await store.jobs.findOne({ _id: job._id }, { projection: { status: 1 } }))?.status === 'completed');
  const seconds = (performance.now() - started) / 1000;
  const host = process.cpuUsage(hostCpu);
  const after = await fcm.stats();
  const rss = rssMb(worker.pid!);
  const workerCpu = cpuSeconds(worker.pid!) - cpuAtReady;
  const cpuMsPerPush = (workerCpu * 1000) / pushes;
  await stop(worker);
  await c.close();
  if (after.acceptedTotal - before.acceptedTotal !== pushes) throw new Error(`pipeline: FCM accepted ${after.acceptedTotal - before.acceptedTotal} of ${pushes}`);
  // CPU per push is what the load of other processes does not change: 1000 / it is the worker's ceiling on one core.
  // The other side's cost per push: MongoDB's wire test server (this process) and the fake FCM (its process).
  // meanInFlight / pushesPerSecond is how long a request stays at the fake (Little's law).
  return {
    pushes, seconds: round(seconds, 2), pushesPerSecond: Math.round(pushes / seconds), peakRssMb: rss, rssAtReadyMb: atReady, cpuMsPerPush: round(cpuMsPerPush, 3),
    cpuBoundPushesPerSecond: Math.round(1000 / cpuMsPerPush), workerBusy: round(workerCpu / seconds, 2),
    mongoCpuMsPerPush: round((host.user + host.system) / 1000 / pushes, 3), fakeFcmCpuMsPerPush: round((after.cpuMs - before.cpuMs) / pushes, 3), meanInFlight: Math.round(after.meanInFlight),
  };
}

async function naiveRun(env: NodeJS.ProcessEnv, db: Db): Promise<Record<string, number>> {
  const pushes = await seed(db, NAIVE_USERS, 'n');
  const c = new Container({ role: 'bench-push-naive', env, console: false });
  await c.init();
  for (let i = 0; i < NAIVE_USERS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, NAIVE_USERS - i) }, (_, k) => c.dispatcher.enqueue('push-naive', { jobId: 'naive', userId: `n-user-${i + k}` })));
  }
  const started = performance.now();
  const worker = await startWorker(env, 'naive');
  const atReady = rssMb(worker.pid!, 'VmRSS');
  const cpuAtReady = cpuSeconds(worker.pid!);
  await until(async () => (await db.collection('naive_logs').countDocuments({ status: 'done' })) === NAIVE_USERS);
  const seconds = (performance.now() - started) / 1000;
  const rss = rssMb(worker.pid!);
  const cpuMsPerPush = ((cpuSeconds(worker.pid!) - cpuAtReady) * 1000) / pushes;
  await stop(worker);
  await c.close();
  return { pushes, seconds: round(seconds, 2), pushesPerSecond: Math.round(pushes / seconds), peakRssMb: rss, rssAtReadyMb: atReady, cpuMsPerPush: round(cpuMsPerPush, 3), cpuBoundPushesPerSecond: Math.round(1000 / cpuMsPerPush) };
}

/** The compiled build of the current sources (the pipeline worker runs from it). */
function build(): Promise<void> {
  log('npm run build (the worker runs compiled, as in production; --dist 0 for tsx)');
  return new Promise((resolve, reject) => {
    const b = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    b.on('error', reject);
    b.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  if (DIST) await build();
  const names = isolatedNames('push');
  const mongo = await MongoTestServer.start();
  const fcm = await RemoteFcm.start(LATENCY);
  const mongoUrl = `${mongo.uri.replace(/\/$/, '')}/${names.database}`;
  const client = new MongoClient(mongoUrl);
  const db = client.db();
  const base: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, MONGO_URL: mongoUrl, LOG_LEVEL: 'info', LOG_FORMAT: 'json',
    FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount), FCM_BASE_URL: fcm.baseUrl, FCM_MAX_IN_FLIGHT: String(IN_FLIGHT), PUSH_SEND_CONCURRENCY: String(CONCURRENCY),
  };
  try {
    log(`pipeline: ${USERS} users × 2 tokens, fake FCM latency ${LATENCY} ms, ${IN_FLIGHT} in flight`);
    const pipeline = await pipelineRun({ ...base, WORKERS_DIR: 'workers/push' }, db, fcm);
    log(`naive: ${NAIVE_USERS} users × 2 tokens, one job per push request`);
    const naive = await naiveRun({ ...base, WORKERS_DIR: 'bench/push-naive' }, db);
    const end = await fcm.stats();
    report({
      bench: 'push', worker: DIST ? 'dist' : 'tsx', workerNodeFlags: WORKER_FLAGS.join(' '), workerHeapMb: HEAP_MB || null, latencyMs: LATENCY, inFlight: IN_FLIGHT, sendConcurrency: CONCURRENCY, pipeline, naive,
      ratio: round(pipeline.pushesPerSecond / naive.pushesPerSecond, 2), duplicates: end.duplicates,
      tokenRequests: end.tokenRequests, fakeMaxInFlight: end.maxInFlight, loadAverage: os.loadavg().map((l) => round(l)), cpus: os.cpus().length,
    });
  } finally {
    await client.close();
    await fcm.close();
    await mongo.stop();
    await dropIsolated(names);
  }
}

(process.argv.includes('--fcm-child') ? fcmChild() : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
