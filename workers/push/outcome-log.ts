/** The push log a send outcome becomes. */
import { senderAdvice, type FinalOutcome, type SendOutcome } from '../../plugins/fcm';
import type { Push } from './chunk-state';
import type { LogDoc } from './store';

export interface LogRef {
  jobId: string;
  chunk: number;
  msg: number;
}

export function logDoc(ref: LogRef, p: Push, seq: number, fields: Pick<LogDoc, 'status' | 'attempts'> & Partial<LogDoc>): LogDoc {
  return { _id: p.key, jobId: ref.jobId, chunk: ref.chunk, msg: ref.msg, token: p.token, userId: p.userId, seq, at: new Date(), ...fields };
}

/** A push FCM did not take and that may be sent again. */
export function retryingLog(ref: LogRef, p: Push, seq: number, o: SendOutcome | null, attempts: number): LogDoc {
  return logDoc(ref, p, seq, { status: 'retrying', attempts, errorCode: o?.errorCode ?? 'INTERRUPTED', error: o?.error ?? 'the send task stopped before this push went out' });
}

/** The final log of an outcome; `deactivate` tells the caller to mark the token dead. */
export function finalLog(ref: LogRef, p: Push, seq: number, o: FinalOutcome, projectId: string, dryRun: boolean): { doc: LogDoc; deactivate: boolean } {
  const base = { attempts: o.attempts, errorCode: o.errorCode, error: o.error };
  switch (o.kind) {
    case 'sent':
      return { doc: logDoc(ref, p, seq, { status: 'sent', attempts: o.attempts, fcmName: o.name }), deactivate: false };
    case 'deactivate':
      return { doc: logDoc(ref, p, seq, { status: 'failed', ...base, deactivated: !dryRun }), deactivate: !dryRun };
    case 'retry':
      return { doc: logDoc(ref, p, seq, { status: 'failed', ...base, error: `${o.error} (gave up after ${o.attempts} attempts)` }), deactivate: false };
    case 'sender':
    case 'reauth':
      return { doc: logDoc(ref, p, seq, { status: 'failed', ...base, error: senderAdvice(o, projectId) }), deactivate: false };
    case 'unconfirmed':
      return { doc: logDoc(ref, p, seq, { status: 'failed', ...base, error: `no answer from FCM, not sent again (at most once): ${o.error}` }), deactivate: false };
    default:
      return { doc: logDoc(ref, p, seq, { status: 'failed', ...base }), deactivate: false };
  }
}
