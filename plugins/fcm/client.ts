/**
 * One FCM v1 `messages:send` per call over pooled HTTP/2 sessions, with the service account's access token.
 * A refused access token (401 without an FCM error code) is dropped and the send tried once more with a new
 * one; a second refusal is a sender problem.
 */
import { AccessTokenSource } from './access-token';
import { Http2Pool, H2RequestError } from './http2-pool';
import { classify, type SendOutcome } from './outcome';
import type { FcmMessage } from './message';
import type { ServiceAccount } from './service-account';

export interface FcmClientOptions {
  account: ServiceAccount;
  /** @defaultValue 'https://fcm.googleapis.com' (FCM_BASE_URL) */
  baseUrl?: string;
  /** @defaultValue the service account's token_uri (FCM_TOKEN_URI) */
  tokenUri?: string;
  /** @defaultValue the service account's project_id (FCM_PROJECT_ID) */
  projectId?: string;
  /** @defaultValue 10000 (FCM_REQUEST_TIMEOUT_MS) */
  timeoutMs?: number;
  /** @defaultValue 300000 (FCM_TOKEN_REFRESH_MARGIN_MS) */
  tokenRefreshMarginMs?: number;
}

export class FcmClient {
  readonly tokens: AccessTokenSource;
  readonly projectId: string;
  private readonly pool: Http2Pool;
  private readonly path: string;
  /** The request header block for the current access token (built once per token, not per request). */
  private headers: { token: string; block: Record<string, string> } | null = null;

  constructor(opts: FcmClientOptions) {
    this.projectId = opts.projectId || opts.account.projectId;
    this.tokens = new AccessTokenSource(opts.account, { tokenUri: opts.tokenUri, refreshMarginMs: opts.tokenRefreshMarginMs, timeoutMs: opts.timeoutMs });
    this.pool = new Http2Pool(opts.baseUrl || 'https://fcm.googleapis.com', { timeoutMs: opts.timeoutMs });
    this.path = `/v1/projects/${encodeURIComponent(this.projectId)}/messages:send`;
  }

  /** HTTP/2 sessions open right now. */
  get sessions(): number {
    return this.pool.sessions;
  }

  /**
   * One attempt (plus one with a fresh access token if FCM refused the cached one). Throws FcmCredentialsError.
   * `message` may be a request body from `MessageTemplate.body()` (then `validateOnly` is the template's).
   */
  async send(message: FcmMessage | string, validateOnly = false): Promise<SendOutcome> {
    const body = typeof message === 'string' ? message : JSON.stringify(validateOnly ? { message, validate_only: true } : { message });
    const first = await this.attempt(body);
    if (first.kind !== 'reauth') return first;
    const again = await this.attempt(body);
    return again.kind === 'reauth' ? { ...again, kind: 'sender' } : again;
  }

  private async attempt(body: string): Promise<SendOutcome> {
    const token = await this.tokens.get();
    try {
      if (this.headers?.token !== token) {
        this.headers = { token, block: { ':method': 'POST', ':path': this.path, authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' } };
      }
      const res = await this.pool.request(this.headers.block, body);
      const outcome = classify(res.status, res.headers, res.body);
      if (outcome.kind === 'reauth') this.tokens.invalidate(token);
      return outcome;
    } catch (err) {
      if (!(err instanceof H2RequestError)) throw err;
      return { kind: err.sent ? 'unconfirmed' : 'retry', errorCode: err.sent ? 'UNCONFIRMED' : 'CONNECTION', error: err.message };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
