/**
 * The per-process push pipeline: the FCM sender (in-flight cap, shared quota, retries) and the muster buckets
 * every send task of the process fills, so lookups and writes go to MongoDB in batches across tasks.
 * One pipeline per database and configuration; send tasks get it with `pipelineFor`.
 */
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { Bucket } from '../../plugins/batcher';
import { FcmClient, FcmCredentialsError, FcmSender, SharedQuota, parseServiceAccount } from '../../plugins/fcm';
import { isDuplicateOnly } from './jobs.repository';
import type { PushMessageInput } from './message';
import { pushStore, type IntentDoc, type LogDoc, type PushStore } from './store';
import { activeTokensOf, deactivateTokens, inactiveTokens } from './tokens.repository';
import type { PushSettings } from './settings';

const MESSAGE_CACHE_JOBS = 64;

export interface LogWrite {
  doc: LogDoc;
  /** The push has a log already (it waited for a retry): replace it rather than insert. */
  replace: boolean;
}

export interface PipelineDeps {
  db: Db;
  redis: Redis;
  /** REDIS_PREFIX of the deployment: the shared quota key lives under it. */
  redisPrefix: string;
  settings: PushSettings;
}

export class PushPipeline {
  readonly sender: FcmSender;
  readonly client: FcmClient;
  readonly lookups: Bucket<string, string[]>;
  readonly tokenChecks: Bucket<string, boolean>;
  readonly intents: Bucket<IntentDoc>;
  /** Whether a run still owns its chunk (no newer run took it over), asked once per window before it goes out. */
  readonly owners: Bucket<{ chunkId: string; run: number }, boolean>;
  readonly logs: Bucket<LogWrite>;
  readonly deactivations: Bucket<{ token: string; reason: string }>;
  /** Jobs this process saw fail (credentials, sender refused): their remaining pushes are not sent. */
  readonly failedJobs = new Map<string, string>();
  /** Messages of recent jobs (they never change): a bulk job's thousand messages are read once, not per chunk. */
  private readonly messages = new Map<string, PushMessageInput[]>();

  constructor(readonly store: PushStore, deps: PipelineDeps) {
    const s = deps.settings;
    if (!s.serviceAccount) {
      throw new FcmCredentialsError('FCM_SERVICE_ACCOUNT is not set: put the service account key JSON (Firebase console → Project settings → Service accounts → Generate new private key) in FCM_SERVICE_ACCOUNT');
    }
    const account = parseServiceAccount(s.serviceAccount);
    this.client = new FcmClient({ account, baseUrl: s.baseUrl, tokenUri: s.tokenUri, projectId: s.projectId, timeoutMs: s.requestTimeoutMs, tokenRefreshMarginMs: s.tokenRefreshMarginMs });
    const quota = new SharedQuota({ redis: deps.redis, keyPrefix: `${deps.redisPrefix}plugin:push:fcm-quota`, key: this.client.projectId, perMinute: s.quotaPerMinute });
    this.sender = new FcmSender({ client: this.client, quota, maxInFlight: s.maxInFlight, maxAttempts: s.maxAttempts, retryBaseMs: s.retryBaseMs, retryMaxMs: s.retryMaxMs, quotaBackoffMs: s.quotaBackoffMs });
    const wait = s.flushMs;
    this.lookups = new Bucket({ name: 'push token lookup', size: s.lookupBatch, maxWaitMs: wait, concurrency: 4, flush: (ids) => activeTokensOf(this.store, ids) });
    this.tokenChecks = new Bucket({ name: 'push token check', size: s.lookupBatch, maxWaitMs: wait, concurrency: 4, flush: (tokens) => inactiveTokens(this.store, tokens) });
    this.intents = new Bucket({ name: 'push intents', size: 50, maxWaitMs: 0, concurrency: 4, flush: (docs) => this.insertIntents(docs) });
    this.owners = new Bucket({ name: 'push chunk owners', size: 50, maxWaitMs: 0, concurrency: 4, flush: (runs) => this.ownsChunks(runs) });
    this.logs = new Bucket({ name: 'push logs', size: s.logBatch, maxWaitMs: wait, concurrency: 2, flush: (items) => this.writeLogs(items) });
    this.deactivations = new Bucket({ name: 'push token deactivation', size: s.logBatch, maxWaitMs: wait, flush: (items) => deactivateTokens(this.store, items) });
  }

  /** A job's messages, from the cache or MongoDB; undefined for an unknown job. */
  async jobMessages(jobId: string): Promise<PushMessageInput[] | undefined> {
    const cached = this.messages.get(jobId);
    if (cached) return cached;
    const job = await this.store.jobs.findOne({ _id: jobId }, { projection: { messages: 1 } });
    if (!job) return undefined;
    if (this.messages.size >= MESSAGE_CACHE_JOBS) this.messages.delete(this.messages.keys().next().value as string);
    this.messages.set(jobId, job.messages);
    return job.messages;
  }

  private async insertIntents(docs: IntentDoc[]): Promise<void> {
    await this.store.intents.insertMany(docs, { ordered: false }).catch((err: { code?: number; writeErrors?: unknown }) => {
      if (!isDuplicateOnly(err)) throw err;
    });
  }

  private async ownsChunks(runs: Array<{ chunkId: string; run: number }>): Promise<boolean[]> {
    const docs = await this.store.chunks.find({ _id: { $in: [...new Set(runs.map((r) => r.chunkId))] } }, { projection: { attempts: 1 } }).toArray();
    const latest = new Map(docs.map((d) => [d._id, d.attempts]));
    return runs.map((r) => latest.get(r.chunkId) === r.run);
  }

  private async writeLogs(items: LogWrite[]): Promise<void> {
    const ops = items.map((i) => (i.replace
      ? { replaceOne: { filter: { _id: i.doc._id }, replacement: i.doc, upsert: true } }
      : { insertOne: { document: i.doc } }));
    // A duplicate means another process recorded that push already (a task handed over after a lost lock).
    await this.store.logs.bulkWrite(ops, { ordered: false }).catch((err: { code?: number; writeErrors?: unknown }) => {
      if (!isDuplicateOnly(err)) throw err;
    });
  }

  /** Writes what is waiting and closes the HTTP/2 sessions. */
  async close(): Promise<void> {
    await Promise.all([this.lookups.drain(), this.tokenChecks.drain(), this.intents.drain(), this.owners.drain(), this.logs.drain(), this.deactivations.drain()]);
    await this.client.close();
  }
}

// Keyed by database name and configuration: the driver hands out a new Db object on every `db()` call.
const pipelines = new Map<string, PushPipeline>();
const all = new Set<PushPipeline>();

let heapGrowing = 0;

/**
 * PUSH_HEAP_GROWING_PERCENT: a push job allocates fast (a few KB per push, most of it short-lived but alive across
 * a request's latency), and V8's default heuristics then let the old generation grow to about four times its
 * live set between full collections (a ~50 MB live set peaked at 200+ MB of heap). A growing factor of
 * 1 + p/100 bounds that slack for some more GC work. The flag is process-wide and read by V8 at every full GC;
 * the limit V8 computed at the last one still holds until the next, so one full GC is run now (through a context
 * made after --expose-gc, the way Node's docs do it at run time), not after the job's first overshoot.
 */
function applyHeapGrowing(percent: number): void {
  if (percent <= 0 || percent === heapGrowing) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  heapGrowing = percent;
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** The process's pipeline for this database and configuration (a changed setting builds a new one). */
export async function pipelineFor(deps: PipelineDeps): Promise<PushPipeline> {
  applyHeapGrowing(deps.settings.heapGrowingPercent);
  const key = createHash('sha256').update(JSON.stringify([deps.db.databaseName, deps.settings, deps.redisPrefix])).digest('hex');
  let p = pipelines.get(key);
  if (!p) {
    // A pipeline of an older configuration is left to the tasks still using it; shutdown closes it.
    p = new PushPipeline(await pushStore(deps.db), deps);
    pipelines.set(key, p);
    all.add(p);
  }
  return p;
}

/** Closes every pipeline of the process (worker shutdown, after the tasks stopped). */
export async function closePipelines(): Promise<void> {
  const list = [...all];
  all.clear();
  pipelines.clear();
  await Promise.all(list.map((p) => p.close()));
}
