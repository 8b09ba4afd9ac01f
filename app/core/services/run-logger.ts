/** `ctx.log`: a winston child bound to the execution; with history 'failures' info/debug lines wait for the outcome. */
import type winston from 'winston';
import type { RunLogger } from '../structures/context';

type Level = 'debug' | 'info' | 'warn' | 'error';

export class ExecutionLogger implements RunLogger {
  private held: Array<[Level, string, Record<string, unknown> | undefined]> | null;

  constructor(private readonly logger: winston.Logger, private readonly bound: { executionId: string; workerId: string; attempt: number }, holdRoutine: boolean) {
    this.held = holdRoutine ? [] : null;
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.write('debug', message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.write('info', message, meta);
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.write('warn', message, meta);
  }
  error(message: string, meta?: Record<string, unknown>): void {
    this.write('error', message, meta);
  }

  /** Writes held lines (the run did not succeed) or forgets them (it did). */
  settle(keep: boolean): void {
    const held = this.held;
    this.held = null;
    if (keep && held) for (const [level, message, meta] of held) this.emit(level, message, meta);
  }

  private write(level: Level, message: string, meta?: Record<string, unknown>): void {
    if (this.held && (level === 'info' || level === 'debug')) this.held.push([level, message, meta]);
    else this.emit(level, message, meta);
  }

  private emit(level: Level, message: string, meta?: Record<string, unknown>): void {
    this.logger.log(level, message, meta ? { ...meta, ...this.bound } : { ...this.bound });
  }
}
