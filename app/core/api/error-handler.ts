/**
 * Turns every error into the one error body (`ApiErrorBody`) with a code of the table (errors.ts): validation
 * errors name the field, Fastify's own errors (parser, router, client connection) and any library's errors map onto
 * our codes by status, and 5xx bodies never carry a stack or internal message.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type winston from 'winston';
import { ParamsValidationError } from '../services/params';
import { UnknownWorkerError } from '../services/dispatcher';
import { DepthLimitError } from '../services/redact';
import { ApiErrors, fieldError, type ApiErrorBody, type FieldError } from './errors';
import { validationField } from './validation';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A library's message may echo the request (a 10,000-character path): only its start is shown. */
const MESSAGE_MAX = 300;
const short = (text: string): string => (text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX)}…` : text);

type AnyError = FastifyError & { field?: string };

export interface ErrorLimits {
  bodyLimit: number;
  maxParamLength: number;
}

/** A client error outside our table, by its status (a library's 4xx we do not list becomes 400 SLUICE_BAD_REQUEST). */
function byStatus(status: number, message: string, limits: ErrorLimits): FieldError {
  switch (status) {
    case 401: return new ApiErrors.Unauthorized(short(message));
    case 403: return new ApiErrors.Forbidden(short(message));
    case 404: return new ApiErrors.RouteNotFound(short(message));
    case 408: return new ApiErrors.RequestTimeout();
    case 413: return new ApiErrors.BodyTooLarge(limits.bodyLimit);
    case 414: return new ApiErrors.UriTooLong(limits.maxParamLength);
    case 415: return new ApiErrors.UnsupportedMediaType(short(message));
    case 429: return new ApiErrors.RateLimited(short(message));
    case 431: return new ApiErrors.HeadersTooLarge();
    default: return new ApiErrors.BadRequest(short(message));
  }
}

/** Maps errors raised outside our table (Fastify, services, libraries) onto it. */
function normalize(err: AnyError, limits: ErrorLimits): FieldError {
  if (err.validation) {
    const field = err.validation[0] ? validationField(err.validation[0], err.validationContext ?? '') : err.validationContext ?? '';
    return fieldError.validation(err.message, field);
  }
  if (err instanceof ParamsValidationError) return fieldError.params(err.message, `body/params${err.field}`);
  if (err instanceof DepthLimitError) return Object.assign(new ApiErrors.TooDeep(err.message), { field: err.field });
  if (err instanceof UnknownWorkerError) return new ApiErrors.WorkerNotFound(err.workerId);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiErrors.BodyTooLarge(limits.bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiErrors.UnsupportedMediaType(err.message.replace(/^Unsupported Media Type:?\s*/i, '') || 'given');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiErrors.MalformedBody(err.message);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiErrors.UriTooLong(limits.maxParamLength);
    case 'FST_ERR_BAD_URL':
      return Object.assign(new ApiErrors.BadRequest('the URL is not validly percent-encoded'), { field: 'url' });
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && err.code?.startsWith('FST_ERR_CTP'))) return new ApiErrors.MalformedBody(err.message);
  const status = err.statusCode ?? (err as { status?: number }).status;
  if (!err.code?.startsWith('SLUICE_') && typeof status === 'number' && status >= 400 && status < 500) return byStatus(status, err.message, limits);
  return err;
}

/**
 * The table's body for an answer a library wrote itself (the queue board's API): by status, the library's message
 * kept when it is short text.
 */
export function tableBodyFor(status: number, message: string): ApiErrorBody {
  return errorBody(status >= 500 ? new ApiErrors.Internal() : byStatus(status, message, { bodyLimit: 0, maxParamLength: 0 }));
}

export function errorBody(err: FieldError): ApiErrorBody {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (!err.code?.startsWith('SLUICE_')) {
    const generic = status >= 500 ? new ApiErrors.Internal() : new ApiErrors.BadRequest(short(err.message));
    return { statusCode: generic.statusCode, code: generic.code, error: STATUS_TEXT[generic.statusCode], message: generic.message };
  }
  const body: ApiErrorBody = { statusCode: status, code: err.code, error: STATUS_TEXT[status] ?? 'Error', message: err.message };
  if (err.field) body.field = err.field;
  return body;
}

/** Any error as the body the API answers with (for scopes whose library sets its own error handler). */
export function bodyOfError(err: Error, limits: ErrorLimits): ApiErrorBody {
  return errorBody(normalize(err as AnyError, limits));
}

/** Fastify's `frameworkErrors`: router errors (a malformed URL, a path parameter over the limit) in the table's shape. */
export function frameworkErrors(limits: ErrorLimits): NonNullable<FastifyServerOptions['frameworkErrors']> {
  const handler = (error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void => {
    const body = errorBody(normalize(error as AnyError, limits));
    void reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
  };
  return handler as unknown as NonNullable<FastifyServerOptions['frameworkErrors']>;
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refused before Fastify saw them (headers too large,
 * a malformed request line, a request that timed out) get the table's shape too.
 */
export function clientErrorHandler(limits: ErrorLimits): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (!socket.writable) return socket.destroy(err);
    const code = err.code ?? '';
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify(errorBody(byStatus(status, 'the request could not be parsed', limits)));
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
}

export function installErrorHandling(app: FastifyInstance, logger: winston.Logger, limits: ErrorLimits): void {
  app.setErrorHandler((raw: AnyError, req: FastifyRequest, reply: FastifyReply) => {
    const err = normalize(raw, limits);
    const body = errorBody(err);
    if (body.statusCode >= 500) {
      logger.error(`API ${req.method} ${short(req.url)}: ${raw.message}`, { stack: raw.stack, stored: false });
    }
    void reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(new ApiErrors.RouteNotFound(`${req.method} ${short(req.url.split('?')[0])}`)));
  });
}
