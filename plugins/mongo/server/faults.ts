import { CommandError } from './errors';

/** The error a forced write failure replies with. */
export interface WriteFailure {
  /** mongod error code of the reply, e.g. 91 (ShutdownInProgress) or 11600. */
  code: number;
  /** @default "failed by fault injection" */
  errmsg?: string;
  /** @default derived from the code when known */
  codeName?: string;
}

/** Hooks into the live server that fault injection needs. */
export interface FaultTarget {
  destroyConnections(): number;
}

/**
 * Fault injection for tests. Faults stay in force until used up or cleared; they never
 * affect the connection handshake except for latency, which delays every reply.
 */
export class ServerFaults {
  private pendingWriteFailures = 0;
  private failure: WriteFailure = { code: 1 };
  private latency = 0;

  constructor(private readonly target: FaultTarget) {}

  /** Makes the next `count` write commands (insert, update, delete, findAndModify) fail with `{ ok: 0 }`. */
  failNextWrites(count: number, failure: WriteFailure): void {
    this.pendingWriteFailures = count;
    this.failure = failure;
  }

  /** Destroys every open client socket now; returns how many were open. */
  dropConnections(): number {
    return this.target.destroyConnections();
  }

  /** Delays every reply by `ms` milliseconds (0 turns it off). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Removes pending write failures and latency. */
  clear(): void {
    this.pendingWriteFailures = 0;
    this.latency = 0;
  }

  /** Consumes one pending write failure, if any. */
  takeWriteFailure(): CommandError | null {
    if (this.pendingWriteFailures <= 0) return null;
    this.pendingWriteFailures -= 1;
    const { code, errmsg = 'failed by fault injection', codeName } = this.failure;
    return new CommandError(code, errmsg, codeName ? { codeName } : {});
  }
}
