/**
 * Where a chunk stands when a send task (re)starts: what is settled, what may be sent, and what is in doubt.
 * Every send goes out under a write-ahead intent with a sequence number; every outcome (or "retry later") is
 * logged with the sequence it was obtained under. A push whose newest intent is newer than its newest log was
 * on the wire when the previous owner died: FCM may have taken it, so it is not sent again (at most once).
 */
import type { ChunkDoc, IntentDoc, LogDoc, LogStatus } from './store';

export interface Push {
  key: string;
  token: string;
  userId: string | null;
}

export interface ResumePlan {
  /** Pushes with a final outcome already. */
  settled: Map<string, LogStatus>;
  /** Settled pushes whose token was deactivated. */
  deactivated: number;
  /** Pushes to send now (`hasLog`: a "retry later" log exists and is replaced). */
  toSend: Array<Push & { hasLog: boolean }>;
  /** Pushes that were on the wire when the previous owner died. */
  inDoubt: Array<Push & { hasLog: boolean }>;
}

export function planResume(pushes: readonly Push[], logs: ReadonlyArray<Pick<LogDoc, '_id' | 'status' | 'seq' | 'deactivated'>>, intents: ReadonlyArray<Pick<IntentDoc, 'keys' | 'seq'>>): ResumePlan {
  const logBy = new Map(logs.map((l) => [l._id, l]));
  const intentSeq = new Map<string, number>();
  for (const i of intents) for (const k of i.keys) intentSeq.set(k, Math.max(intentSeq.get(k) ?? -1, i.seq));
  const plan: ResumePlan = { settled: new Map(), deactivated: 0, toSend: [], inDoubt: [] };
  for (const p of pushes) {
    const log = logBy.get(p.key);
    if (log && log.status !== 'retrying') {
      plan.settled.set(p.key, log.status);
      if (log.deactivated) plan.deactivated++;
    } else if ((intentSeq.get(p.key) ?? -1) > (log?.seq ?? -1)) plan.inDoubt.push({ ...p, hasLog: log !== undefined });
    else plan.toSend.push({ ...p, hasLog: log !== undefined });
  }
  return plan;
}

export interface TokenLookups {
  /** Active tokens of each user id, in the order asked. */
  tokensOf(userIds: string[]): Promise<string[][]>;
  /** Whether each token is known as deactivated, in the order asked. */
  inactive(tokens: string[]): Promise<boolean[]>;
}

/** The chunk's pushes: its users' active tokens (or its tokens not known dead), each token once. */
export async function resolvePushes(chunk: Pick<ChunkDoc, 'jobId' | 'n' | 'userIds' | 'tokens'>, lookups: TokenLookups): Promise<{ pushes: Push[]; noToken: number }> {
  const seen = new Set<string>();
  const pushes: Push[] = [];
  const add = (token: string, userId: string | null) => {
    if (seen.has(token)) return;
    seen.add(token);
    pushes.push({ key: `${chunk.jobId}:${chunk.n}:${token}`, token, userId });
  };
  let noToken = 0;
  if (chunk.userIds) {
    const found = await lookups.tokensOf(chunk.userIds);
    chunk.userIds.forEach((u, i) => {
      if (found[i].length === 0) noToken++;
      for (const t of found[i]) add(t, u);
    });
  } else {
    const tokens = chunk.tokens ?? [];
    const inactive = await lookups.inactive(tokens);
    tokens.forEach((t, i) => {
      if (!inactive[i]) add(t, null);
    });
  }
  return { pushes, noToken };
}
