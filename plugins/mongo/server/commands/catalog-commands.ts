import { CommandError, notSupported } from '../errors';
import { compileFilter } from '../query/matcher';
import { isDoc, type Doc } from '../query/values';
import { ID_INDEX_SPEC } from '../storage/collection';
import { collectionName, existingCollection, type CommandHandler } from './context';

const UNSUPPORTED_CREATE_OPTIONS = ['capped', 'validator', 'timeseries', 'viewOn', 'clusteredIndex', 'collation', 'changeStreamPreAndPostImages'];

const create: CommandHandler = (ctx) => {
  for (const option of UNSUPPORTED_CREATE_OPTIONS) {
    if (ctx.body[option] !== undefined && ctx.body[option] !== false) throw notSupported(`create option '${option}'`);
  }
  const name = collectionName(ctx);
  if (existingCollection(ctx)) throw new CommandError(48, `Collection ${ctx.db}.${name} already exists.`);
  ctx.state.catalog.getOrCreate(ctx.db, name);
  return { ok: 1 };
};

/** Dropping a missing collection succeeds, as in mongod 7.0 (the version this server reports). */
const drop: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const coll = ctx.state.catalog.drop(ctx.db, name);
  return coll ? { nIndexesWas: coll.indexes.size + 1, ns: coll.ns, ok: 1 } : { ok: 1 };
};

const dropDatabase: CommandHandler = (ctx) => {
  ctx.state.catalog.dropDatabase(ctx.db);
  return { ok: 1 };
};

const listCollections: CommandHandler = (ctx) => {
  const nameOnly = ctx.body.nameOnly === true;
  const infos: Doc[] = ctx.state.catalog.collections(ctx.db).map((c) =>
    nameOnly
      ? { name: c.name, type: 'collection' }
      : { name: c.name, type: 'collection', options: {}, info: { readOnly: false, uuid: c.uuid }, idIndex: ID_INDEX_SPEC },
  );
  const matches = compileFilter(isDoc(ctx.body.filter) ? ctx.body.filter : {});
  const cursor = isDoc(ctx.body.cursor) ? ctx.body.cursor : {};
  return ctx.state.cursors.start(`${ctx.db}.$cmd.listCollections`, infos.filter(matches), { batchSize: cursor.batchSize ?? Infinity });
};

const listDatabases: CommandHandler = (ctx) => {
  const names = ctx.state.catalog.databaseNames();
  const databases = names.map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  return ctx.body.nameOnly === true ? { databases: names.map((name) => ({ name })), ok: 1 } : { databases, totalSize: 0, ok: 1 };
};

export const CATALOG_COMMANDS: Record<string, CommandHandler> = { create, drop, dropDatabase, listCollections, listDatabases };
