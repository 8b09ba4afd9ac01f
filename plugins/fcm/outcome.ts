/**
 * What an FCM v1 answer means for one message (FCM's documented error handling):
 * - `sent`: accepted;
 * - `deactivate`: the token is dead (UNREGISTERED, INVALID_ARGUMENT about the token, SENDER_ID_MISMATCH);
 * - `retry`: not accepted, try again later (QUOTA_EXCEEDED/429, UNAVAILABLE/503, INTERNAL/500, other 5xx);
 * - `payload`: the message itself is wrong (INVALID_ARGUMENT about a field): never retried;
 * - `sender`: the sender is wrong (THIRD_PARTY_AUTH_ERROR, PERMISSION_DENIED, bad project): fail the job, keep tokens;
 * - `reauth`: the access token was refused (401 UNAUTHENTICATED): fetch a new one and try once more;
 * - `unconfirmed`: the request went out and no answer came back: FCM may or may not have taken it.
 */
import { retryAfterMs } from '../http/backoff';

export type OutcomeKind = 'sent' | 'deactivate' | 'retry' | 'payload' | 'sender' | 'reauth' | 'unconfirmed';

export interface SendOutcome {
  kind: OutcomeKind;
  /** `projects/…/messages/…` when sent. */
  name?: string;
  /** FCM's errorCode (UNREGISTERED, QUOTA_EXCEEDED…), else its status, else `HTTP_<code>`. */
  errorCode?: string;
  /** FCM's message (or the network error). */
  error?: string;
  httpStatus?: number;
  /** From Retry-After, when FCM sent one. */
  retryAfterMs?: number;
}

interface GoogleError {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }> };
}

const TOKEN_PROBLEM = /registration token/i;

function parseError(body: string): GoogleError['error'] {
  try {
    return (JSON.parse(body) as GoogleError).error ?? {};
  } catch {
    return {};
  }
}

function fcmErrorCode(err: NonNullable<GoogleError['error']>): string | undefined {
  return err.details?.find((d) => typeof d.errorCode === 'string')?.errorCode;
}

function retryKind(status: number, code: string): boolean {
  return status === 429 || status >= 500 || code === 'QUOTA_EXCEEDED' || code === 'UNAVAILABLE' || code === 'INTERNAL';
}

export function classify(status: number, headers: Record<string, string | string[] | undefined>, body: string): SendOutcome {
  if (status === 200) {
    let name: string | undefined;
    try {
      name = (JSON.parse(body) as { name?: string }).name;
    } catch {
      name = undefined;
    }
    return { kind: 'sent', name, httpStatus: status };
  }
  const err = parseError(body) ?? {};
  const detail = fcmErrorCode(err);
  const code = detail ?? err.status ?? `HTTP_${status}`;
  const base = { errorCode: code, error: err.message ?? `HTTP ${status}`, httpStatus: status };
  if (code === 'UNREGISTERED' || code === 'SENDER_ID_MISMATCH') return { kind: 'deactivate', ...base };
  if (code === 'INVALID_ARGUMENT' && TOKEN_PROBLEM.test(err.message ?? '')) return { kind: 'deactivate', ...base };
  if (retryKind(status, code)) return { kind: 'retry', ...base, retryAfterMs: retryAfterMs(headers['retry-after']) };
  if (code === 'THIRD_PARTY_AUTH_ERROR' || status === 403 || (status === 404 && !detail)) return { kind: 'sender', ...base };
  if (status === 401) return { kind: 'reauth', ...base };
  return { kind: 'payload', ...base };
}

/** What to tell the operator when the sender is refused. */
export function senderAdvice(o: SendOutcome, projectId: string): string {
  if (o.errorCode === 'THIRD_PARTY_AUTH_ERROR') {
    return `FCM THIRD_PARTY_AUTH_ERROR (${o.error}): the APNs certificate/auth key or Web Push credentials of project ${projectId} were rejected; upload valid ones in Firebase console → Project settings → Cloud Messaging (tokens kept)`;
  }
  if (o.httpStatus === 401) return `FCM refused the access token twice (${o.error}): check FCM_SERVICE_ACCOUNT belongs to project ${projectId} and the Firebase Cloud Messaging API is enabled (tokens kept)`;
  if (o.httpStatus === 404) return `FCM answered 404 for project ${projectId} (${o.error}): check FCM_BASE_URL and FCM_PROJECT_ID (tokens kept)`;
  return `FCM refused the sender (${o.errorCode}: ${o.error}): give the service account the "Firebase Cloud Messaging API Admin" role on project ${projectId}, or set FCM_PROJECT_ID to its project (tokens kept)`;
}
