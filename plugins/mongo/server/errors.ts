import type { Doc } from './query/values';

/** Code names mongod attaches to the error codes this server produces. */
const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  9: 'FailedToParse',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  28: 'PathNotViable',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  91: 'ShutdownInProgress',
  112: 'WriteConflict',
  115: 'CommandNotSupported',
  168: 'InvalidPipelineOperator',
  11000: 'DuplicateKey',
  11600: 'InterruptedAtShutdown',
};

export function codeName(code: number): string | undefined {
  return CODE_NAMES[code];
}

/** An error that becomes an `{ ok: 0 }` reply or a `writeErrors` entry with mongod's code. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Extra reply fields mongod adds for this error (keyPattern/keyValue for duplicates). */
    readonly details: Doc = {},
  ) {
    super(message);
    this.name = 'CommandError';
  }

  toReply(): Doc {
    const name = codeName(this.code);
    return { ok: 0, errmsg: this.message, code: this.code, ...(name ? { codeName: name } : {}), ...this.details };
  }

  toWriteError(index: number): Doc {
    return { index, code: this.code, ...this.details, errmsg: this.message };
  }
}

export function badValue(message: string): CommandError {
  return new CommandError(2, message);
}

export function notSupported(what: string): CommandError {
  return new CommandError(115, `${what} is not supported by the Sluice test server`);
}

/** Normalises anything thrown inside a handler into a CommandError. */
export function asCommandError(err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CommandError(1, message);
}
