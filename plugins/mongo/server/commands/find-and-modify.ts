import { CommandError, notSupported } from '../errors';
import { compileProjection } from '../query/projection';
import { sortDocs } from '../query/sort';
import { isDoc, type Doc } from '../query/values';
import { performUpdate } from '../storage/update-engine';
import { collectionName, pipelineContext, type CommandHandler } from './context';
import { targetCollection } from './write';

function project(doc: Doc | null, fields: unknown): Doc | null {
  if (!doc) return null;
  const projector = compileProjection(fields, 'find');
  return projector ? projector(doc) : doc;
}

/** findAndModify: remove or update (with optional upsert) the first document in sort order. */
export const findAndModify: CommandHandler = (ctx) => {
  const { body } = ctx;
  if (body.collation !== undefined) throw notSupported('collation');
  const query = isDoc(body.query) ? body.query : {};
  const name = collectionName(ctx);
  if (body.remove === true) {
    if (body.update !== undefined) throw new CommandError(9, 'Cannot specify both an update and remove=true');
    const coll = ctx.state.catalog.get(ctx.db, name);
    const match = coll ? sortDocs(coll.find(query, body.sort ? Infinity : 1), body.sort)[0] : undefined;
    if (coll && match) coll.remove(match);
    return { lastErrorObject: { n: match ? 1 : 0 }, value: project(match ?? null, body.fields), ok: 1 };
  }
  if (body.update === undefined) throw new CommandError(9, 'Either an update or remove=true must be specified');
  const coll = targetCollection(ctx, body.upsert === true);
  const out = performUpdate(
    coll,
    { q: query, u: body.update, upsert: body.upsert === true, multi: false, arrayFilters: body.arrayFilters, sort: body.sort },
    pipelineContext(ctx),
  );
  const lastErrorObject: Doc = { n: out.matched + (out.upsertedId !== undefined ? 1 : 0), updatedExisting: out.matched > 0 };
  if (out.upsertedId !== undefined) lastErrorObject.upserted = out.upsertedId;
  const value = body.new === true ? out.after : out.before;
  return { lastErrorObject, value: project(value, body.fields), ok: 1 };
};
