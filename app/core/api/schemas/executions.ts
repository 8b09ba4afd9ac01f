/** Schemas of the run search, retries and bulk actions over failed runs. */
import { Type } from '@sinclair/typebox';
import { IsoDate, StringEnum, WorkerId } from './common';
import { EXECUTION_STATUSES } from './workers';

export const FAILED_STATUSES = ['failed', 'timed_out', 'cancelled'] as const;

/** Filters shared by GET /executions and the bulk routes (queued_at range, error text). */
export const RunFilters = {
  from: Type.Optional(IsoDate),
  to: Type.Optional(IsoDate),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Substring of the error text' })),
};

/** Query fields of GET /executions (the page fields are added by the route). */
export const SearchFilters = {
  workerId: Type.Optional(WorkerId),
  status: Type.Optional(Type.Array(StringEnum(EXECUTION_STATUSES), { maxItems: EXECUTION_STATUSES.length, description: 'Only these statuses (repeat for several)' })),
  ...RunFilters,
  retried: Type.Optional(Type.Boolean({ description: 'true = only runs already retried; false = only runs not retried yet' })),
};

export const BulkFilters = Type.Object({
  status: Type.Optional(Type.Array(StringEnum(FAILED_STATUSES), { minItems: 1, maxItems: 3, description: 'Which failed runs (default failed and timed_out)' })),
  ...RunFilters,
}, { additionalProperties: false });

export const RetryAccepted = Type.Object({
  executionId: Type.String({ description: 'The new execution (trigger retry)' }),
  retryOf: Type.String({ description: 'The original execution' }),
  workerId: Type.String(),
});

export const BulkRetried = Type.Object({
  count: Type.Integer({ description: 'Runs retried by this call' }),
  items: Type.Array(RetryAccepted),
  more: Type.Boolean({ description: 'true when more runs matched than API_BULK_MAX; call again for the rest' }),
});

export const BulkDeleted = Type.Object({
  count: Type.Integer({ description: 'Execution rows deleted (with their log lines)' }),
  more: Type.Boolean({ description: 'true when more runs matched than API_BULK_MAX; call again for the rest' }),
});
