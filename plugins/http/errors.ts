/** Errors of the HTTP client; every message names the method and URL so a failed run says what it fetched. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(readonly method: string, readonly url: string, readonly status: number, readonly body: string) {
    super(`${method} ${url} answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

/** A status or error the caller declared not worth retrying (e.g. 404, 401). Worker runs fail at once on it. */
export class HttpNonRetryableError extends HttpStatusError {
  override name = 'HttpNonRetryableError';
}

export class HttpNetworkError extends Error {
  override name = 'HttpNetworkError';
  constructor(readonly method: string, readonly url: string, cause: unknown) {
    super(`${method} ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
