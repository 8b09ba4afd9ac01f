/**
 * Errors of the resources routes, in the core's error shape (`statusCode, code, error, message[, field]`): the
 * core's error handler renders any error carrying a code and a status; 5xx codes keep the SLUICE_ prefix so their
 * message is shown instead of the generic internal error.
 */
import createError from '@fastify/error';

export const ResourceErrors = {
  NotFound: createError<'SLUICE_RESOURCE_NOT_FOUND', 404, [string]>('SLUICE_RESOURCE_NOT_FOUND', 'no resource named "%s"', 404),
  Busy: createError<'SLUICE_RESOURCE_BUSY', 503, [string, number]>('SLUICE_RESOURCE_BUSY', 'resource "%s" is being loaded by another process and did not finish within %d ms; retry', 503),
  LoadFailed: createError<'SLUICE_RESOURCE_LOAD_FAILED', 500, [string, string]>('SLUICE_RESOURCE_LOAD_FAILED', 'resource "%s" could not be loaded: %s', 500),
  Conflict: createError<'SLUICE_RESOURCE_CONFLICT', 409, [string]>('SLUICE_RESOURCE_CONFLICT', 'resource "%s" changed version while it was being loaded; retry', 409),
} as const;

/** A loader's rows broke a rule (schema, id field, size): the message names the resource, the row and the field. */
export class InvalidRowsError extends Error {
  constructor(readonly resource: string, detail: string) {
    super(`resource "${resource}": ${detail}`);
    this.name = 'InvalidRowsError';
  }
}
