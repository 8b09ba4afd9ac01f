/**
 * Sends messages through one FcmClient with at most `maxInFlight` requests on the wire per process, inside the
 * project quota shared through Redis, retrying what FCM did not take (429/503/500, refused streams) with
 * exponential backoff and jitter, honouring Retry-After. A message FCM accepted is never sent again: only
 * `retry` outcomes (FCM answered and did not take it) are retried.
 */
import { backoffDelay, sleep } from '../http/backoff';
import type { FcmClient } from './client';
import type { FcmMessage } from './message';
import type { SendOutcome } from './outcome';
import type { SharedQuota } from './quota';
import { Semaphore } from './semaphore';

export interface FcmSenderOptions {
  client: FcmClient;
  /** Shared project quota; without it only FCM's own 429s pace the sender. */
  quota?: SharedQuota;
  /** Requests in flight at once in this process. @defaultValue 500 (FCM_MAX_IN_FLIGHT) */
  maxInFlight?: number;
  /** Tries per message, the first included. @defaultValue 5 (FCM_MAX_ATTEMPTS) */
  maxAttempts?: number;
  /** First retry delay of a 5xx without Retry-After. @defaultValue 1000 (FCM_RETRY_BASE_MS) */
  retryBaseMs?: number;
  /** Longest retry delay. @defaultValue 60000 (FCM_RETRY_MAX_MS) */
  retryMaxMs?: number;
  /** First retry delay of a 429 without Retry-After (FCM asks for at least a minute). @defaultValue 60000 (FCM_QUOTA_BACKOFF_MS) */
  quotaBackoffMs?: number;
}

/**
 * In-flight slots (and quota) taken ahead for a batch of first attempts, so the caller can record the batch as
 * "about to go out" while holding them: what it recorded is then only what is really on the wire.
 */
export class Reservation {
  constructor(private readonly slots: Semaphore, private left: number) {}

  get remaining(): number {
    return this.left;
  }

  /** Takes one reserved slot for an attempt; false when none is left. */
  take(): boolean {
    if (this.left === 0) return false;
    this.left--;
    return true;
  }

  /** Gives back the slots no attempt used. */
  cancel(): void {
    if (this.left > 0) this.slots.release(this.left);
    this.left = 0;
  }
}

export interface SendOptions {
  /** Slots reserved with `reserve()`: the first attempt uses one instead of waiting for the quota and a slot. */
  reserved?: Reservation;
  validateOnly?: boolean;
  signal?: AbortSignal;
  /** Awaited before the wait of each retry (the message was not taken): record that it may be sent again. */
  onRetry?: (outcome: SendOutcome, attempt: number, delayMs: number) => Promise<void> | void;
  /** Awaited after the wait, right before the message goes out again (write-ahead of the resend). */
  beforeResend?: (attempt: number) => Promise<void> | void;
}

export interface FinalOutcome extends SendOutcome {
  attempts: number;
}

export class FcmSender {
  private readonly slots: Semaphore;
  private readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly quotaMs: number;
  readonly stats = { requests: 0, retries: 0 };

  constructor(private readonly opts: FcmSenderOptions) {
    this.slots = new Semaphore(opts.maxInFlight ?? 500);
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseMs = opts.retryBaseMs ?? 1_000;
    this.maxMs = opts.retryMaxMs ?? 60_000;
    this.quotaMs = opts.quotaBackoffMs ?? 60_000;
  }

  get inFlight(): number {
    return this.slots.inUse;
  }

  get client(): FcmClient {
    return this.opts.client;
  }

  /**
   * Sends one message (or a request body from `MessageTemplate.body()`, which carries its own validate_only) until
   * it is settled. Throws FcmCredentialsError, what a hook threw, and the signal's reason; a throw always means the
   * attempt under way did not go out.
   */
  async send(message: FcmMessage | string, opts: SendOptions = {}): Promise<FinalOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.once(message, opts, attempt === 1 && opts.reserved?.take() === true);
      if (outcome.kind !== 'retry' || attempt >= this.maxAttempts) {
        // Each attempt's outcome is a new object: it becomes the final one in place.
        (outcome as FinalOutcome).attempts = attempt;
        return outcome as FinalOutcome;
      }
      const delay = this.delayFor(outcome, attempt);
      if (outcome.httpStatus === 429) await this.opts.quota?.pause(delay);
      this.stats.retries++;
      await opts.onRetry?.(outcome, attempt, delay);
      await sleep(delay, opts.signal);
      await opts.beforeResend?.(attempt + 1);
    }
  }

  /** Takes `n` messages of quota and `n` in-flight slots (n ≤ maxInFlight) for first attempts. */
  async reserve(n: number, signal?: AbortSignal): Promise<Reservation> {
    const units = Math.min(n, this.slots.limit);
    await this.opts.quota?.take(signal, units);
    await this.slots.acquire(units);
    return new Reservation(this.slots, units);
  }

  private async once(message: FcmMessage | string, opts: SendOptions, reserved: boolean): Promise<SendOutcome> {
    if (!reserved) {
      await this.opts.quota?.take(opts.signal);
      await this.slots.acquire();
    }
    try {
      opts.signal?.throwIfAborted();
      this.stats.requests++;
      return await this.opts.client.send(message, opts.validateOnly);
    } finally {
      this.slots.release();
    }
  }

  /** Retry-After plus up to 10 % jitter; else exponential backoff with jitter from the base for its kind. */
  delayFor(outcome: SendOutcome, attempt: number): number {
    if (outcome.retryAfterMs !== undefined) return Math.min(this.maxMs, Math.round(outcome.retryAfterMs * (1 + Math.random() / 10)));
    const base = outcome.httpStatus === 429 ? this.quotaMs : this.baseMs;
    return backoffDelay(attempt - 1, base, Math.max(this.maxMs, base));
  }
}
