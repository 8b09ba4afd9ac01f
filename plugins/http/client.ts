/**
 * The toolkit's HTTP client (undici): per-request timeouts, retries with exponential backoff and jitter on network
 * errors, 429 and 5xx (honouring Retry-After), and a list of statuses that must never be retried.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { backoffDelay, retryAfterMs, sleep } from './backoff';
import { HttpNetworkError, HttpNonRetryableError, HttpStatusError } from './errors';

export interface HttpClientOptions {
  /** Prefix of relative paths. @defaultValue none */
  baseUrl?: string;
  /** Whole-request timeout (headers and body). @defaultValue 15000 */
  timeoutMs?: number;
  /** Tries per request, the first included. @defaultValue 4 */
  attempts?: number;
  /** First retry delay before jitter. @defaultValue 500 */
  backoffMs?: number;
  /** Longest retry delay (also caps Retry-After). @defaultValue 30000 */
  maxBackoffMs?: number;
  /** Statuses that fail at once. @defaultValue [400, 401, 403, 404, 405, 410, 422] */
  nonRetryableStatuses?: number[];
  /** Headers sent on every request. @defaultValue {} */
  headers?: Record<string, string>;
  /** Called before each retry (for logs and metrics). */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
  /** undici dispatcher (connection pool). @defaultValue a keep-alive Agent per client */
  dispatcher?: Dispatcher;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** A JSON body (serialised and typed as application/json) or a string. */
  body?: unknown;
  /** Aborts the request and any wait between retries (pass `ctx.signal`). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Tries it took (1 = no retry). */
  attempts: number;
}

const RETRYABLE = (status: number): boolean => status === 429 || status >= 500;

export class HttpClient {
  private readonly opts: Required<Omit<HttpClientOptions, 'baseUrl' | 'onRetry' | 'dispatcher'>> & Pick<HttpClientOptions, 'baseUrl' | 'onRetry'>;
  private readonly dispatcher: Dispatcher;

  constructor(options: HttpClientOptions = {}) {
    this.opts = {
      baseUrl: options.baseUrl, onRetry: options.onRetry,
      timeoutMs: options.timeoutMs ?? 15_000, attempts: options.attempts ?? 4, backoffMs: options.backoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000, nonRetryableStatuses: options.nonRetryableStatuses ?? [400, 401, 403, 404, 405, 410, 422],
      headers: options.headers ?? {},
    };
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  }

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async text(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.send(this.url(path, options.query), options);
  }

  async json<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(this.url(path, options.query), { ...options, headers: { accept: 'application/json', ...options.headers } });
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new HttpStatusError(options.method ?? 'GET', this.url(path, options.query), res.status, `invalid JSON: ${res.text.slice(0, 100)}`);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One logical request: tries until success, a non-retryable answer, or attempts run out. */
  private async send(url: string, options: RequestOptions): Promise<HttpResponse> {
    const method = options.method ?? 'GET';
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      let wait: number | undefined;
      try {
        const res = await this.once(url, method, options);
        if (res.status < 400) return { ...res, attempts: attempt };
        if (this.opts.nonRetryableStatuses.includes(res.status) || !RETRYABLE(res.status)) throw new HttpNonRetryableError(method, url, res.status, res.text);
        failure = new HttpStatusError(method, url, res.status, res.text);
        wait = retryAfterMs(res.headers['retry-after']);
      } catch (err) {
        if (err instanceof HttpNonRetryableError || options.signal?.aborted) throw options.signal?.aborted ? options.signal.reason : err;
        failure = err instanceof HttpStatusError ? err : new HttpNetworkError(method, url, err);
      }
      if (attempt >= this.opts.attempts) throw failure;
      const delayMs = Math.min(this.opts.maxBackoffMs, wait ?? backoffDelay(attempt - 1, this.opts.backoffMs, this.opts.maxBackoffMs));
      this.opts.onRetry?.({ url, attempt, delayMs, reason: failure.message });
      await sleep(delayMs, options.signal);
    }
  }

  private async once(url: string, method: string, options: RequestOptions): Promise<Omit<HttpResponse, 'attempts'>> {
    const json = options.body !== undefined && typeof options.body !== 'string';
    const signals = [AbortSignal.timeout(this.opts.timeoutMs), ...(options.signal ? [options.signal] : [])];
    const res = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers: { ...this.opts.headers, ...(json ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: json ? JSON.stringify(options.body) : (options.body as string | undefined),
      signal: AbortSignal.any(signals),
      dispatcher: this.dispatcher,
    });
    return { status: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, text: await res.body.text() };
  }
}
