/**
 * OAuth 2.0 for a service account: an RS256 JWT (jose) exchanged at the token URI for an access token, cached
 * until `refreshMarginMs` before it expires. Concurrent callers share one request, so a process asks at most
 * once per token lifetime (Google's: 1 h) unless FCM rejects the token early.
 */
import { importPKCS8, SignJWT, type KeyLike } from 'jose';
import { request } from 'undici';
import { FcmCredentialsError } from './errors';
import type { ServiceAccount } from './service-account';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface AccessTokenOptions {
  /** Overrides the service account's token_uri (tests point it at the fake). @defaultValue the account's */
  tokenUri?: string;
  /** Refresh this long before expiry; capped at half the token's lifetime. @defaultValue 300000 (5 min) */
  refreshMarginMs?: number;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

export class AccessTokenSource {
  private token: { value: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private key: KeyLike | null = null;
  /** Token requests this source made (for tests and metrics). */
  requests = 0;
  readonly tokenUri: string;

  constructor(private readonly account: ServiceAccount, private readonly opts: AccessTokenOptions = {}) {
    this.tokenUri = opts.tokenUri || account.tokenUri;
  }

  /** A valid access token, from the cache when it is fresh. */
  get(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Drops the cached token (FCM said it is not valid any more); the next `get` asks again. */
  invalidate(rejected?: string): void {
    if (!rejected || this.token?.value === rejected) this.token = null;
  }

  private async assertion(): Promise<string> {
    try {
      this.key ??= await importPKCS8(this.account.privateKey, 'RS256');
    } catch {
      throw new FcmCredentialsError('the service account private_key cannot be read as an RSA PKCS#8 key: use the unmodified key file from Firebase console');
    }
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(this.account.privateKeyId ? { kid: this.account.privateKeyId } : {}) })
      .setIssuer(this.account.clientEmail).setAudience(this.tokenUri).setIssuedAt(now).setExpirationTime(now + 3600)
      .sign(this.key);
  }

  private async fetch(): Promise<string> {
    const body = new URLSearchParams({ grant_type: JWT_BEARER, assertion: await this.assertion() }).toString();
    this.requests++;
    const res = await request(this.tokenUri, {
      method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      headersTimeout: this.opts.timeoutMs ?? 10_000, bodyTimeout: this.opts.timeoutMs ?? 10_000,
    });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // A non-JSON answer (a proxy's error page) is reported by status below.
    }
    if (res.statusCode !== 200 || typeof json.access_token !== 'string') {
      const why = typeof json.error === 'string' ? `${json.error}${json.error_description ? ` (${String(json.error_description)})` : ''}` : `HTTP ${res.statusCode}`;
      throw new FcmCredentialsError(`the token endpoint ${this.tokenUri} refused the service account ${this.account.clientEmail}: ${why}. Check FCM_SERVICE_ACCOUNT: the key may be revoked or from another project, or the machine's clock is off`);
    }
    const lifetimeMs = Number(json.expires_in ?? 3600) * 1000;
    const margin = Math.min(this.opts.refreshMarginMs ?? 300_000, lifetimeMs / 2);
    this.token = { value: json.access_token, refreshAt: Date.now() + lifetimeMs - margin };
    return json.access_token;
  }
}
