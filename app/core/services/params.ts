import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';

export class ParamsValidationError extends Error {
  override name = 'ParamsValidationError';
  constructor(readonly field: string, readonly reason: string) {
    super(`params${field ? field.replace(/\//g, '.') : ''}: ${reason}`);
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * Throws a ParamsValidationError naming the first failing field; returns the params to store. Keys the schema does
 * not declare are rejected where the schema says `additionalProperties: false`, and otherwise removed (from a copy):
 * a params schema lists what a job carries, so nothing else is stored in Bull or MySQL.
 */
export function assertParams<T>(schema: TSchema | undefined, params: T): T {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new ParamsValidationError('', 'must be an object');
  if (!schema) return params;
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (!check.Check(params)) {
    const first = check.Errors(params).First();
    throw new ParamsValidationError(first?.path ?? '', first?.message ?? 'is invalid');
  }
  const cleaned = Value.Clean(schema, Value.Clone(params)) as T;
  // Clean may drop a value the schema then misses (a union member with extra keys): keep the checked original then.
  return check.Check(cleaned) ? cleaned : params;
}
