import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';

export class ParamsValidationError extends Error {
  override name = 'ParamsValidationError';
  constructor(readonly field: string, readonly reason: string) {
    super(`params${field ? field.replace(/\//g, '.') : ''}: ${reason}`);
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Throws a ParamsValidationError naming the first failing field. */
export function assertParams(schema: TSchema | undefined, params: unknown): void {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new ParamsValidationError('', 'must be an object');
  if (!schema) return;
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(params)) return;
  const first = check.Errors(params).First();
  throw new ParamsValidationError(first?.path ?? '', first?.message ?? 'is invalid');
}
