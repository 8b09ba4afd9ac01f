/**
 * Every error the control API answers with, in one table (the Fastify way: @fastify/error constructors).
 * docs/api.md lists the same codes; test/api/docs.test.ts keeps the two in step. Errors raised by Fastify itself or by
 * a library (a malformed URL, a too-long path parameter, a static file outside its root) are mapped onto these
 * codes by error-handler.ts, so no answer carries a code the table does not list.
 */
import createError from '@fastify/error';

/** Error body of every 4xx/5xx: `field` names the failing input when there is one. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  field?: string;
}

/** An API error that knows which input field it is about. */
export interface FieldError extends Error {
  code: string;
  statusCode?: number;
  field?: string;
}

function withField<T extends Error>(err: T, field: string): T & { field: string } {
  return Object.assign(err, { field });
}

export const ApiErrors = {
  Validation: createError<'SLUICE_VALIDATION', 400, [string]>('SLUICE_VALIDATION', '%s', 400),
  BadRequest: createError<'SLUICE_BAD_REQUEST', 400, [string]>('SLUICE_BAD_REQUEST', '%s', 400),
  TooDeep: createError<'SLUICE_TOO_DEEP', 400, [string]>('SLUICE_TOO_DEEP', '%s', 400),
  MalformedBody: createError<'SLUICE_MALFORMED_BODY', 400, [string]>('SLUICE_MALFORMED_BODY', 'malformed request body: %s', 400),
  InvalidParams: createError<'SLUICE_INVALID_PARAMS', 400, [string]>('SLUICE_INVALID_PARAMS', '%s', 400),
  InvalidCron: createError<'SLUICE_INVALID_CRON', 400, [string, string]>('SLUICE_INVALID_CRON', 'cron: "%s" is not a valid cron expression (%s)', 400),
  InvalidTimezone: createError<'SLUICE_INVALID_TIMEZONE', 400, [string]>('SLUICE_INVALID_TIMEZONE', 'timezone: "%s" is not an IANA timezone', 400),
  InvalidConfigValue: createError<'SLUICE_INVALID_CONFIG_VALUE', 400, [string, string]>('SLUICE_INVALID_CONFIG_VALUE', 'value: %s is a setting of type %s', 400),
  Unauthorized: createError<'SLUICE_UNAUTHORIZED', 401, [string]>('SLUICE_UNAUTHORIZED', '%s', 401),
  Forbidden: createError<'SLUICE_FORBIDDEN', 403, [string]>('SLUICE_FORBIDDEN', '%s', 403),
  WorkerNotFound: createError<'SLUICE_WORKER_NOT_FOUND', 404, [string]>('SLUICE_WORKER_NOT_FOUND', 'no worker with id "%s"', 404),
  ExecutionNotFound: createError<'SLUICE_EXECUTION_NOT_FOUND', 404, [string]>('SLUICE_EXECUTION_NOT_FOUND', 'no execution with id "%s"', 404),
  ConfigNotFound: createError<'SLUICE_CONFIG_NOT_FOUND', 404, [string]>('SLUICE_CONFIG_NOT_FOUND', 'no config row %s', 404),
  DeadEntryNotFound: createError<'SLUICE_DEAD_ENTRY_NOT_FOUND', 404, [string, string]>('SLUICE_DEAD_ENTRY_NOT_FOUND', 'stream worker "%s" has no dead entry %s', 404),
  RouteNotFound: createError<'SLUICE_ROUTE_NOT_FOUND', 404, [string]>('SLUICE_ROUTE_NOT_FOUND', 'no route %s', 404),
  NotASchedule: createError<'SLUICE_NOT_A_SCHEDULE', 409, [string, string]>('SLUICE_NOT_A_SCHEDULE', 'worker "%s" is a %s listener; this action applies to schedule workers', 409),
  NotAListener: createError<'SLUICE_NOT_A_LISTENER', 409, [string]>('SLUICE_NOT_A_LISTENER', 'worker "%s" is a schedule worker; start and restart apply to listeners', 409),
  NotAStream: createError<'SLUICE_NOT_A_STREAM', 409, [string, string]>('SLUICE_NOT_A_STREAM', 'worker "%s" is a %s worker; dead letters belong to stream workers', 409),
  NothingRunning: createError<'SLUICE_NOTHING_RUNNING', 409, [string]>('SLUICE_NOTHING_RUNNING', 'worker "%s" has no running execution to stop', 409),
  ListenerRunning: createError<'SLUICE_LISTENER_RUNNING', 409, [string, string]>('SLUICE_LISTENER_RUNNING', 'listener "%s" is already %s', 409),
  ListenerStopped: createError<'SLUICE_LISTENER_STOPPED', 409, [string, string]>('SLUICE_LISTENER_STOPPED', 'listener "%s" is already %s', 409),
  WorkerDisabled: createError<'SLUICE_WORKER_DISABLED', 409, [string]>('SLUICE_WORKER_DISABLED', 'worker "%s" is disabled; enable it first', 409),
  RequestTimeout: createError<'SLUICE_REQUEST_TIMEOUT', 408, []>('SLUICE_REQUEST_TIMEOUT', 'the request was not received in time', 408),
  BodyTooLarge: createError<'SLUICE_BODY_TOO_LARGE', 413, [number]>('SLUICE_BODY_TOO_LARGE', 'request body is larger than %d bytes', 413),
  UriTooLong: createError<'SLUICE_URI_TOO_LONG', 414, [number]>('SLUICE_URI_TOO_LONG', 'a path parameter is longer than %d characters (API_MAX_PARAM_LENGTH)', 414),
  UnsupportedMediaType: createError<'SLUICE_UNSUPPORTED_MEDIA_TYPE', 415, [string]>('SLUICE_UNSUPPORTED_MEDIA_TYPE', 'unsupported content-type %s (send application/json)', 415),
  UpgradeRequired: createError<'SLUICE_UPGRADE_REQUIRED', 426, []>('SLUICE_UPGRADE_REQUIRED', 'GET /ws is a WebSocket endpoint: send Connection: Upgrade and Upgrade: websocket', 426),
  RateLimited: createError<'SLUICE_RATE_LIMITED', 429, [string]>('SLUICE_RATE_LIMITED', 'rate limit exceeded; retry in %s', 429),
  HeadersTooLarge: createError<'SLUICE_HEADERS_TOO_LARGE', 431, []>('SLUICE_HEADERS_TOO_LARGE', 'request headers are too large', 431),
  Internal: createError<'SLUICE_INTERNAL', 500, []>('SLUICE_INTERNAL', 'internal error', 500),
  NoWorkerListening: createError<'SLUICE_NO_WORKER_LISTENING', 503, []>('SLUICE_NO_WORKER_LISTENING', 'no worker process is listening for control requests; the action cannot be delivered', 503),
} as const;

export type ApiErrorCode = ReturnType<(typeof ApiErrors)[keyof typeof ApiErrors]>['code'];

/** Every code with its HTTP status, for docs and the docs test. */
export function errorTable(): Array<{ code: string; statusCode: number }> {
  return Object.values(ApiErrors).map((E) => {
    const probe = new (E as unknown as new (...a: unknown[]) => { code: string; statusCode: number })('x', 'x');
    return { code: probe.code, statusCode: probe.statusCode };
  });
}

export const fieldError = {
  validation: (message: string, field: string) => withField(new ApiErrors.Validation(message), field),
  params: (message: string, field: string) => withField(new ApiErrors.InvalidParams(message), field),
  cron: (cron: string, reason: string) => withField(new ApiErrors.InvalidCron(cron, reason), 'body/cron'),
  timezone: (tz: string) => withField(new ApiErrors.InvalidTimezone(tz), 'body/timezone'),
  configValue: (key: string, type: string) => withField(new ApiErrors.InvalidConfigValue(key, type), 'body/value'),
};
