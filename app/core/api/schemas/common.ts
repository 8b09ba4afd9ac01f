/** Schemas shared by several routes: the error body, ids, pagination. */
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable error code (see docs/api.md)' }),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'The failing input, e.g. body/cron or querystring/limit' })),
}, { $id: 'ErrorBody', title: 'Error' });

const errorRef = Type.Ref('ErrorBody');

/** Error responses a route documents (the body is always ErrorBody). */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries([401, 429, ...codes].map((c) => [c, errorRef]));
}

export const WorkerId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Worker id' });
export const ExecutionId = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'Execution id (UUIDv7, time-ordered)' });
export const ConfigKey = Type.String({ minLength: 1, maxLength: 191, pattern: '^[A-Za-z0-9_.-]+$', description: 'Config key (settings are UPPER_SNAKE_CASE)' });

export const WorkerParams = Type.Object({ id: WorkerId });
export const ExecutionParams = Type.Object({ id: ExecutionId });

export const IsoDate = Type.String({ format: 'date-time' });
export const NullableDate = Type.Union([IsoDate, Type.Null()]);

/** `?limit=&cursor=`; the bounds come from API_PAGE_SIZE / API_PAGE_MAX. */
export function pageQuery<C extends TSchema>(pageSize: number, pageMax: number, cursor: C) {
  return {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: pageMax, default: pageSize, description: `Items per page (default ${pageSize}, at most ${pageMax})` })),
    cursor: Type.Optional(cursor),
  };
}

export function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as ?cursor= for the next page; null on the last page' }),
  });
}

/** A string enum as a plain JSON Schema `enum` (ajv then says "must be one of …" instead of anyOf noise). */
export function StringEnum<T extends string>(values: readonly T[], description?: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}

/** An empty JSON object (or no body at all) for action routes. */
export const NoBody = Type.Object({}, { additionalProperties: false });
