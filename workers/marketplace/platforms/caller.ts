/**
 * One signed platform call: waits for the shared rate limiter, sends through plugins/http, reads the platform's
 * envelope, and acts on the error class — backoff on retryable and rate-limited answers (honouring the platform's
 * ban window), one token refresh on auth-expired, fail at once on non-retryable.
 */
import { HttpClient, HttpNetworkError, HttpStatusError, backoffDelay, sleep } from '../../../plugins/http';
import type { SharedRateLimiter, TakeResult } from '../../../plugins/rate-limit';
import { PlatformError, type CallStats, type PlatformName } from './types';

export interface CallRequest {
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The access token this request carries (what a refresh replaces if it is rejected). */
  token: string;
}

export interface CallerOptions {
  platform: PlatformName;
  /** Rate-limit key prefix: `<platform>:<shop id>`. */
  limitKey: string;
  http: HttpClient;
  limiter: SharedRateLimiter;
  stats: CallStats;
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** Default ban after a 429 whose answer names no window. */
  banMs: number;
  signal?: AbortSignal;
  /** Reads the envelope: the data, or a classified error. */
  classify(endpoint: string, status: number, body: unknown): { data: unknown } | PlatformError;
  /** Replaces the rejected token (at most once per call); true when this call exchanged it (not another one). */
  refresh(usedToken: string): Promise<boolean>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeText(err: HttpNetworkError): string {
  const cause = err.cause as { message?: string; code?: string } | undefined;
  return cause?.code ?? cause?.message ?? 'connection failed';
}

/** An auth-host failure described without its URL (the query carries the refresh token and app secret). */
export function authFailure(platform: PlatformName, err: unknown): PlatformError {
  if (err instanceof HttpStatusError) return new PlatformError(platform, 'token.refresh', err.status >= 500 ? 'retryable' : 'non-retryable', `HTTP${err.status}`, err.body.slice(0, 200));
  if (err instanceof HttpNetworkError) return new PlatformError(platform, 'token.refresh', 'retryable', 'network', `network error: ${causeText(err)}`);
  return new PlatformError(platform, 'token.refresh', 'non-retryable', 'refresh', err instanceof Error ? err.message : String(err));
}

export class PlatformCaller {
  constructor(private readonly opts: CallerOptions) {}

  /** Sends `build()` (rebuilt per try: fresh timestamp and token) and returns the envelope's data. */
  async call(endpoint: string, build: () => CallRequest | Promise<CallRequest>): Promise<unknown> {
    const o = this.opts;
    let refreshed = false;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      const { req, slot } = await this.slotFor(endpoint, build);
      o.stats.calls[endpoint] = (o.stats.calls[endpoint] ?? 0) + 1;
      const sent = Date.now();
      const outcome = await this.once(endpoint, req);
      o.limiter.observe(`${o.limitKey}:${endpoint}`, Date.now() - sent);
      // An answer (even an error envelope) proves the request reached the platform; a network failure does not.
      if (!(outcome instanceof PlatformError && outcome.code === 'network')) void o.limiter.answered(slot);
      if (!(outcome instanceof PlatformError)) return outcome.data;
      lastError = outcome;
      if (outcome.kind === 'non-retryable') throw outcome;
      if (outcome.kind === 'auth-expired') {
        if (refreshed) throw outcome;
        refreshed = true;
        if (await o.refresh(req.token)) o.stats.refreshes++;
        attempt--; // the refresh is not a failed try of the call itself
        continue;
      }
      if (attempt === o.attempts) break;
      o.stats.retries++;
      let delay = backoffDelay(attempt - 1, o.backoffMs, o.maxBackoffMs);
      if (outcome.kind === 'rate-limited') {
        o.stats.rateLimited++;
        const ban = outcome.banMs ?? o.banMs;
        await o.limiter.ban(`${o.limitKey}:${endpoint}`, ban);
        delay = Math.max(delay, ban);
      }
      await sleep(delay, o.signal);
    }
    throw new PlatformError(o.platform, endpoint, 'retryable', (lastError as PlatformError | undefined)?.code ?? '', `gave up after ${o.attempts} tries: ${lastError?.message ?? 'no answer'}`);
  }

  /**
   * Takes a rate-limit slot and builds the request. A request that could not leave in time for its slot's window
   * (the event loop was held up, e.g. signing under load) takes a new slot rather than risk the platform's count.
   */
  private async slotFor(endpoint: string, build: () => CallRequest | Promise<CallRequest>): Promise<{ req: CallRequest; slot: TakeResult }> {
    const o = this.opts;
    for (;;) {
      const slot = await o.limiter.take(`${o.limitKey}:${endpoint}`, o.signal);
      o.stats.waitedMs += slot.waitedMs;
      const req = await build();
      if (Date.now() <= slot.departBy) return { req, slot };
      o.limiter.expired();
    }
  }

  private async once(endpoint: string, req: CallRequest): Promise<{ data: unknown } | PlatformError> {
    const o = this.opts;
    try {
      const res = await o.http.text(req.path, { method: req.method, query: req.query, body: req.body, headers: req.headers, signal: o.signal });
      return o.classify(endpoint, res.status, parse(res.text));
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (err instanceof HttpStatusError) return o.classify(endpoint, err.status, parse(err.body));
      // Not err.message: it names the URL, whose query may carry an access token.
      if (err instanceof HttpNetworkError) return new PlatformError(o.platform, endpoint, 'retryable', 'network', `network error: ${causeText(err)}`);
      throw err;
    }
  }
}
