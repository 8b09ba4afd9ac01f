/**
 * The toolkit's HTTP client (undici): per-attempt timeouts, retries with exponential backoff and jitter on network
 * errors, 429 and 5xx (honouring Retry-After), and a list of statuses that must never be retried. The retry loop is
 * undici's own retry interceptor; this file only decides, per failure, whether and when to try again.
 */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { backoffDelay, retryAfterMs, sleep } from './backoff';
import { HttpNetworkError, HttpNonRetryableError, HttpStatusError } from './errors';

export interface HttpClientOptions {
  /** Prefix of relative paths. @defaultValue none */
  baseUrl?: string;
  /** Per attempt: longest wait for the response headers, and longest silence while the body arrives. @defaultValue 15000 */
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
    const json = options.body !== undefined && typeof options.body !== 'string';
    const tries = { count: 1 };
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: { ...this.opts.headers, ...(json ? { 'content-type': 'application/json' } : {}), ...options.headers },
        body: json ? JSON.stringify(options.body) : (options.body as string | undefined),
        signal: options.signal,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        dispatcher: this.dispatcher.compose(interceptors.retry({ throwOnError: false, retry: this.decide(url, method, options.signal, tries) })),
      });
      const text = await res.body.text();
      if (res.statusCode < 400) return { status: res.statusCode, headers: res.headers as HttpResponse['headers'], text, attempts: tries.count };
      const ErrorClass = this.retryable(res.statusCode) ? HttpStatusError : HttpNonRetryableError;
      throw new ErrorClass(method, url, res.statusCode, text);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (err instanceof HttpStatusError) throw err;
      throw new HttpNetworkError(method, url, err);
    }
  }

  private retryable(status: number): boolean {
    return RETRYABLE(status) && !this.opts.nonRetryableStatuses.includes(status);
  }

  /**
   * undici's retry callback: `next()` tries again, `next(err)` stops — with a status error the last answer is handed
   * on (throwOnError: false) so its body can go into the error. The delay is Retry-After when the server sent one,
   * else the jittered exponential backoff, both capped at maxBackoffMs; the wait ends early when `signal` aborts.
   */
  private decide(url: string, method: string, signal: AbortSignal | undefined, tries: { count: number }): NonNullable<Parameters<typeof interceptors.retry>[0]>['retry'] {
    return (err, _context, next) => {
      const { statusCode, headers } = err as Error & { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
      const failed = statusCode === undefined ? !signal?.aborted : statusCode >= 400 && this.retryable(statusCode);
      if (!failed || tries.count >= this.opts.attempts) return next(err);
      const wait = statusCode === undefined ? undefined : retryAfterMs(headers?.['retry-after']);
      const delayMs = Math.min(this.opts.maxBackoffMs, wait ?? backoffDelay(tries.count - 1, this.opts.backoffMs, this.opts.maxBackoffMs));
      const reason = statusCode === undefined ? `${method} ${url} failed: ${err.message}` : `${method} ${url} answered ${statusCode}`;
      this.opts.onRetry?.({ url, attempt: tries.count, delayMs, reason });
      sleep(delayMs, signal).then(() => {
        tries.count++;
        next(null);
      }, (aborted: unknown) => next(aborted instanceof Error ? aborted : err));
    };
  }
}
