import { JobCancelledError, JobTimeoutError, NonRetryableError } from '../structures/errors';
import type { ErrorClass } from '../decorators/options';
import type { ExecutionStatus } from './execution-recorder';
import { ParamsValidationError } from './params';

/** Raised into ctx.signal when the process shuts down past its grace period; the job is re-run elsewhere. */
export class ShutdownInterruption extends Error {
  override name = 'ShutdownInterruption';
}

export interface FailureVerdict {
  status: Extract<ExecutionStatus, 'failed' | 'timed_out' | 'cancelled'>;
  retryable: boolean;
  message: string;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

function matches(err: unknown, rule: string | RegExp | ErrorClass): boolean {
  const message = err instanceof Error ? err.message : String(err);
  if (typeof rule === 'string') return message.includes(rule);
  if (rule instanceof RegExp) return rule.test(message);
  return err instanceof rule;
}

/** Classifies a failed run: cancelled and non-retryable ones are never retried; timeouts are, like failures. */
export function classifyFailure(err: unknown, nonRetryable: ReadonlyArray<string | RegExp | ErrorClass>): FailureVerdict {
  const message = errorText(err);
  if (err instanceof JobCancelledError) return { status: 'cancelled', retryable: false, message };
  if (err instanceof JobTimeoutError) return { status: 'timed_out', retryable: true, message };
  // Params that do not validate will not validate on the next try either.
  if (err instanceof NonRetryableError || err instanceof ParamsValidationError || nonRetryable.some((rule) => matches(err, rule))) return { status: 'failed', retryable: false, message };
  return { status: 'failed', retryable: true, message };
}
