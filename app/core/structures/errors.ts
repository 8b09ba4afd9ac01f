/** Throw from a worker to fail the run at once, whatever `attempts` says. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

/** The reason `ctx.signal` carries when a run passed its timeoutMs. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** The reason `ctx.signal` carries when a run was stopped on request (the API's stop). Never retried. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
}
