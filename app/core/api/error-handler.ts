/**
 * Turns every error into the one error body (`ApiErrorBody`): validation errors name the field, Fastify's own
 * parser errors map onto our codes, and 5xx bodies never carry a stack or internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type winston from 'winston';
import { ParamsValidationError } from '../services/params';
import { UnknownWorkerError } from '../services/dispatcher';
import { ApiErrors, fieldError, type ApiErrorBody, type FieldError } from './errors';
import { validationField } from './validation';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

type AnyError = FastifyError & { field?: string };

/** Maps errors raised outside our table (Fastify, services) onto it; unknown ones pass through. */
function normalize(err: AnyError, bodyLimit: number): FieldError {
  if (err.validation) {
    const field = err.validation[0] ? validationField(err.validation[0], err.validationContext ?? '') : err.validationContext ?? '';
    return fieldError.validation(err.message, field);
  }
  if (err instanceof ParamsValidationError) {
    return fieldError.params(err.message, `body/params${err.field}`);
  }
  if (err instanceof UnknownWorkerError) return new ApiErrors.WorkerNotFound(err.workerId);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiErrors.BodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiErrors.UnsupportedMediaType(err.message.replace(/^Unsupported Media Type:?\s*/i, '') || 'given');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiErrors.MalformedBody(err.message);
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && err.code?.startsWith('FST_ERR_CTP'))) return new ApiErrors.MalformedBody(err.message);
  return err;
}

export function errorBody(err: FieldError): ApiErrorBody {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status >= 500 && !err.code?.startsWith('SLUICE_')) {
    const internal = new ApiErrors.Internal();
    return { statusCode: 500, code: internal.code, error: STATUS_TEXT[500], message: internal.message };
  }
  const body: ApiErrorBody = { statusCode: status, code: err.code ?? 'SLUICE_ERROR', error: STATUS_TEXT[status] ?? 'Error', message: err.message };
  if (err.field) body.field = err.field;
  return body;
}

export function installErrorHandling(app: FastifyInstance, logger: winston.Logger, bodyLimit: number): void {
  app.setErrorHandler((raw: AnyError, req: FastifyRequest, reply: FastifyReply) => {
    const err = normalize(raw, bodyLimit);
    const body = errorBody(err);
    if (body.statusCode >= 500) {
      logger.error(`API ${req.method} ${req.url}: ${raw.message}`, { stack: raw.stack, stored: false });
    }
    void reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(new ApiErrors.RouteNotFound(`${req.method} ${req.url.split('?')[0]}`)));
  });
}
