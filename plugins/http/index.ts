export { HttpClient, type HttpClientOptions, type RequestOptions, type HttpResponse } from './client';
export { HttpStatusError, HttpNonRetryableError, HttpNetworkError } from './errors';
export { backoffDelay, retryAfterMs, sleep } from './backoff';
