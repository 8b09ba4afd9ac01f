import type { Catalog } from '../storage/catalog';
import type { Collection } from '../storage/collection';
import type { CursorStore } from '../cursors';
import type { ServerFaults } from '../faults';
import type { PipelineContext } from '../aggregate/pipeline';
import { CommandError } from '../errors';
import type { Doc } from '../query/values';

/** Everything a server keeps between commands. */
export interface ServerState {
  catalog: Catalog;
  cursors: CursorStore;
  faults: ServerFaults;
}

/** One decoded command: its body (first key = command name) and target database. */
export interface CommandContext {
  state: ServerState;
  db: string;
  body: Doc;
  connectionId: number;
}

export type CommandHandler = (ctx: CommandContext) => Doc;

/** The collection name a command targets (the value of its first key). */
export function collectionName(ctx: CommandContext): string {
  const name = ctx.body[Object.keys(ctx.body)[0]];
  if (typeof name !== 'string' || name === '') {
    throw new CommandError(73, `collection name has invalid type ${typeof name}`);
  }
  return name;
}

export function existingCollection(ctx: CommandContext): Collection | undefined {
  return ctx.state.catalog.get(ctx.db, collectionName(ctx));
}

export function pipelineContext(ctx: CommandContext): PipelineContext {
  return { foreignDocs: (name) => [...(ctx.state.catalog.get(ctx.db, name)?.docs.values() ?? [])] };
}

/** Reads an array argument that may have arrived as an OP_MSG document sequence. */
export function arrayArgument(body: Doc, field: string): Doc[] {
  const value = body[field];
  if (!Array.isArray(value)) throw new CommandError(2, `BSON field '${field}' is missing but a required field`);
  return value as Doc[];
}
