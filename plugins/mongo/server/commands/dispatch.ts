import { asCommandError, CommandError } from '../errors';
import type { Doc } from '../query/values';
import { ADMIN_COMMANDS } from './admin';
import { CATALOG_COMMANDS } from './catalog-commands';
import type { CommandContext, CommandHandler, ServerState } from './context';
import { findAndModify } from './find-and-modify';
import { INDEX_COMMANDS } from './indexes';
import { READ_COMMANDS } from './read';
import { WRITE_COMMAND_NAMES, WRITE_COMMANDS } from './write';

const COMMANDS: Record<string, CommandHandler> = {
  ...ADMIN_COMMANDS,
  ...CATALOG_COMMANDS,
  ...INDEX_COMMANDS,
  ...READ_COMMANDS,
  ...WRITE_COMMANDS,
  findAndModify,
  findandmodify: findAndModify,
};

/** Runs one command and always returns a reply document; failures become `{ ok: 0 }`. */
export function runCommand(state: ServerState, db: string, body: Doc, connectionId: number): Doc {
  const name = Object.keys(body)[0] ?? '';
  try {
    const handler = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!handler) throw new CommandError(59, `no such command: '${name}'`);
    if (body.startTransaction !== undefined || body.autocommit !== undefined) {
      // What a standalone mongod answers; the test server has no transactions.
      throw new CommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    if (WRITE_COMMAND_NAMES.has(name)) {
      const failure = state.faults.takeWriteFailure();
      if (failure) throw failure;
    }
    const ctx: CommandContext = { state, db, body, connectionId };
    return handler(ctx);
  } catch (err) {
    return asCommandError(err).toReply();
  }
}
