/**
 * Appends entries to one Redis stream (XADD MAXLEN ~), the entries asked for in the same event-loop turn in one
 * script call (append-entries.lua, at most `maxBatch` per call): each push accepted costs one small JSON string
 * instead of a Redis command of its own. `append` resolves once its entry is in the stream and rejects when the
 * call failed; a failed call may have appended the entries before the one that failed (their senders get an
 * error, retry, and the consumer acks the duplicate by its idempotency key).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, type Redis } from 'ioredis';

const SCRIPT = fs.readFileSync(path.join(__dirname, 'append-entries.lua'), 'utf8');

/** String.prototype.toWellFormed (Node ≥ 20; not in the ES2023 lib the project compiles against). */
const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

/**
 * A lone surrogate as JSON.stringify writes it (`\ud800`; paired ones are written as they are). An escaped
 * backslash before such text (`\\ud800`) matches too: that push only takes the slower path.
 */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The entry's fields as the script reads them. A lone surrogate (a JSON body may carry one) is stored as U+FFFD, as
 * a plain XADD of the string stores it: the script's JSON decoder would refuse its escape and fail the whole call.
 */
export function entryJson(fields: readonly string[]): string {
  const json = JSON.stringify(fields);
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(fields.map(wellFormed)) : json;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface StreamAppenderOptions {
  /** The stream's key as the client names it (the client's keyPrefix goes before it). */
  key: string;
  /** MAXLEN ~ of every XADD. */
  maxLen: number;
  /** Most entries per script call (WEBHOOK_APPEND_BATCH_MAX). */
  maxBatch: number;
}

export class StreamAppender {
  private entries: string[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;

  constructor(private readonly redis: Redis, private readonly opts: StreamAppenderOptions) {
    if (!(opts.maxBatch >= 1)) throw new Error(`StreamAppender: maxBatch must be at least 1 (got ${opts.maxBatch})`);
  }

  /** Appends one entry (its flat field list); resolves once it is in the stream. */
  append(fields: readonly string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.entries.push(entryJson(fields));
      this.waiters.push({ resolve, reject });
      if (this.entries.length >= this.opts.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate: the pushes whose requests were read in this turn of the loop share the call.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.entries.length) return;
    const entries = this.entries;
    const waiters = this.waiters;
    this.entries = [];
    this.waiters = [];
    // Sent as its own command, not through the client's auto-pipeline (the batch is one already); the command
    // gets the client's keyPrefix, so the stream stays under the plugin's keys. EVAL, not EVALSHA: Redis caches
    // the compiled script by its hash, and no NOSCRIPT case can arise after a Redis restart or SCRIPT FLUSH.
    const cmd = new Command('eval', [SCRIPT, 1, this.opts.key, this.opts.maxLen, ...entries], { keyPrefix: this.redis.options.keyPrefix });
    this.redis.sendCommand(cmd);
    cmd.promise.then(
      () => { for (const w of waiters) w.resolve(); },
      (err: unknown) => { for (const w of waiters) w.reject(err); },
    );
  }
}
