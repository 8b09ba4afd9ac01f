/** Base of `@Stream` classes, the entries they receive and the ways they report failures. */
import type { WorkerContext } from '../../structures/context';

/** One stream entry as `handle` receives it. */
export interface StreamEntry {
  /** The entry id (`<ms>-<seq>`). */
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  /** Times the group delivered it, this delivery included (from the pending list). */
  readonly deliveries: number;
}

/** `ctx` of `handle`: the shared worker context plus where the batch came from. */
export interface StreamContext extends WorkerContext {
  /** The stream's Redis key. */
  readonly stream: string;
  readonly group: string;
  /** This process' consumer name in the group. */
  readonly consumer: string;
}

/**
 * What `handle` may return: nothing (every entry is done) or the entries that failed, by id, with their error.
 * Entries not named are acked; `failed` ones stay pending and are tried again after `claimIdleMs`; `dead` ones
 * cannot succeed on another delivery (a record that will never parse, a tenant that does not exist) and go to the
 * dead-letter stream at once with their error, without waiting for `maxDeliveries`.
 */
export interface StreamResult {
  failed?: Record<string, unknown>;
  dead?: Record<string, unknown>;
}

/** Thrown from `handle` to fail only the named entries (the others are acked). Any other error fails the whole batch. */
export class StreamEntriesError extends Error {
  override name = 'StreamEntriesError';
  /** Entry id → its error. */
  readonly failures: Record<string, unknown>;

  constructor(failed: Record<string, unknown> | readonly string[], message = 'some entries failed') {
    super(message);
    this.failures = Array.isArray(failed) ? Object.fromEntries(failed.map((id) => [id, message])) : { ...(failed as Record<string, unknown>) };
  }
}

export abstract class StreamWorker {
  /**
   * Handles one batch. Resolve to ack every entry; return `{ failed }` or throw `StreamEntriesError` to fail some;
   * throw anything else to fail the batch. `ctx.signal` fires when the process stops past its grace period — the
   * batch is then left pending (never half-acked) for another consumer.
   */
  abstract handle(entries: readonly StreamEntry[], ctx: StreamContext): Promise<StreamResult | void> | StreamResult | void;
}
