/**
 * Request validation: JSON bodies are checked strictly (no type coercion, unknown properties rejected), query
 * strings and path params are coerced ("50" → 50, one value → array). Errors name the failing field.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

function newAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(ajv);
  return ajv;
}

const strict = newAjv(false);
const coercing = newAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object) as ValidateFunction;
};

/** The field an ajv error is about, as a path: `body/cron`, `querystring/limit`, `params/id`. */
export function validationField(error: Pick<ErrorObject, 'instancePath' | 'params'> | FastifySchemaValidationError, context: string): string {
  const params = (error.params ?? {}) as Record<string, unknown>;
  const extra = params.missingProperty ?? params.additionalProperty;
  const path = `${error.instancePath ?? ''}${extra ? `/${String(extra)}` : ''}`;
  return `${context}${path}`;
}

function reason(error: FastifySchemaValidationError): string {
  const params = (error.params ?? {}) as Record<string, unknown>;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed';
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) return `must be one of ${params.allowedValues.map(String).join(', ')}`;
  return error.message ?? 'is invalid';
}

/** Fastify's schemaErrorFormatter: "body/cron must be string", "querystring/limit must be <= 500". */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], context: string): Error {
  const first = errors[0];
  if (!first) return new Error(`${context} is invalid`);
  return new Error(`${validationField(first, context)} ${reason(first)}`);
}
