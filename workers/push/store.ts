/**
 * The push plugin's MongoDB collections and their indexes.
 * - push_tokens: one document per device token (`_id` = token), moved between users as the device changes hands;
 * - push_jobs: one per send request (its messages and targets, status, timestamps, the error that failed it);
 * - push_chunks: one per send task (a slice of one message's targets), with its counts once done;
 * - push_intents: write-ahead records of pushes about to go out (removed when their chunk is done);
 * - push_logs: one per push (job × message × token) once it has an outcome (or is waiting to be retried).
 */
import type { Collection, Db } from 'mongodb';
import { declareIndexes, type DeclaredIndex } from '../../plugins/mongo';
import type { PushMessageInput } from './message';

export type Platform = 'android' | 'ios' | 'web';

export interface TokenDoc {
  _id: string;
  token: string;
  userId: string;
  platform: Platform;
  app: string;
  device: Record<string, string>;
  active: boolean;
  lastSeenAt: Date;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt?: Date | null;
  deactivationReason?: string | null;
}

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** The targets of one message of a job (user ids or tokens, deduplicated). */
export interface JobTargets {
  userIds?: string[];
  tokens?: string[];
}

export interface JobDoc {
  _id: string;
  status: JobStatus;
  dryRun: boolean;
  /** The messages' content; `targetLists[i]` holds message i's targets (read only when the job is expanded). */
  messages: PushMessageInput[];
  targetLists: JobTargets[];
  targets: number;
  chunks?: number;
  createdAt: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  error?: string | null;
}

export interface PushCounts {
  queued: number;
  sent: number;
  failed: number;
  deactivated: number;
  retrying: number;
  /** Users of the chunk that had no active token. */
  noToken: number;
}

export interface ChunkDoc {
  _id: string;
  jobId: string;
  n: number;
  msg: number;
  userIds?: string[];
  tokens?: string[];
  state: 'pending' | 'running' | 'done';
  attempts: number;
  /** Pushes the chunk resolved its targets to (set once tokens were looked up). */
  pushes?: number;
  counts?: PushCounts;
}

export interface IntentDoc {
  _id: string;
  jobId: string;
  chunk: number;
  /** Increases within a chunk across task runs (run × 1e6 + n). */
  seq: number;
  keys: string[];
}

export type LogStatus = 'retrying' | 'sent' | 'failed';

export interface LogDoc {
  _id: string;
  jobId: string;
  chunk: number;
  msg: number;
  token: string;
  userId: string | null;
  status: LogStatus;
  /** The intent this outcome was obtained under (see chunk-state.ts). */
  seq: number;
  attempts: number;
  deactivated?: boolean;
  errorCode?: string;
  error?: string;
  fcmName?: string;
  at: Date;
}

const INDEXES: Record<string, DeclaredIndex[]> = {
  push_tokens: [{ key: { token: 1 }, unique: true }, { key: { userId: 1, active: 1 } }],
  push_chunks: [{ key: { jobId: 1, state: 1 } }],
  push_intents: [{ key: { jobId: 1, chunk: 1 } }],
  push_logs: [{ key: { jobId: 1, chunk: 1 } }, { key: { jobId: 1, status: 1 } }],
};
for (const [name, specs] of Object.entries(INDEXES)) declareIndexes(name, specs);

export interface PushStore {
  tokens: Collection<TokenDoc>;
  jobs: Collection<JobDoc>;
  chunks: Collection<ChunkDoc>;
  intents: Collection<IntentDoc>;
  logs: Collection<LogDoc>;
}

// By database name: the driver hands out a new Db object on every `db()` call.
const ready = new Map<string, Promise<void>>();

async function createIndexes(db: Db): Promise<void> {
  for (const [name, specs] of Object.entries(INDEXES)) await db.collection(name).createIndexes(specs.map((x) => ({ key: x.key, ...(x.unique ? { unique: true } : {}) })));
}

/** The collections, with their indexes created once per database (the API role does not run the worker's boot). */
export async function pushStore(db: Db): Promise<PushStore> {
  let p = ready.get(db.databaseName);
  if (!p) {
    p = createIndexes(db).catch((err: unknown) => {
      ready.delete(db.databaseName);
      throw err;
    });
    ready.set(db.databaseName, p);
  }
  await p;
  return {
    tokens: db.collection<TokenDoc>('push_tokens'),
    jobs: db.collection<JobDoc>('push_jobs'),
    chunks: db.collection<ChunkDoc>('push_chunks'),
    intents: db.collection<IntentDoc>('push_intents'),
    logs: db.collection<LogDoc>('push_logs'),
  };
}
