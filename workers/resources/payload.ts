/**
 * Turns a loader's rows into what a version serves: checked rows → one JSON document → its sha256 → its gzip
 * body. The body is compressed once per version here, not per request (see routes.ts for how it is served).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { InvalidRowsError } from './errors';
import type { ResourceDefinition } from './resource';

const gzip = promisify(zlib.gzip);

export interface EncodedDataset {
  /** sha256 (hex) of `json`. */
  hash: string;
  rows: number;
  /** Length of the JSON document. */
  bytes: number;
  /** The gzip body, as stored in Redis and sent to clients. */
  gzip: Buffer;
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/** Throws naming the first row (by index) and field that breaks the schema, the id rule or the size limit. */
export function checkRows(def: ResourceDefinition, rows: unknown, maxRows: number): asserts rows is Array<Record<string, unknown>> {
  if (!Array.isArray(rows)) throw new InvalidRowsError(def.name, `load() must return an array of rows, got ${typeof rows}`);
  if (rows.length > maxRows) throw new InvalidRowsError(def.name, `load() returned ${rows.length} rows, more than RESOURCES_MAX_ROWS (${maxRows})`);
  const check = def.schema ? checkerOf(def.schema) : null;
  const seen = new Set<unknown>();
  for (const [i, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new InvalidRowsError(def.name, `row ${i} is not an object`);
    if (check && !check.Check(row)) {
      const first = check.Errors(row).First();
      throw new InvalidRowsError(def.name, `row ${i}${first?.path ? ` field ${first.path}` : ''}: ${first?.message ?? 'does not match the schema'}`);
    }
    const id = (row as Record<string, unknown>)[def.idField];
    if (typeof id !== 'string' && typeof id !== 'number') throw new InvalidRowsError(def.name, `row ${i} has no string or number id field "${def.idField}"`);
    if (seen.has(id)) throw new InvalidRowsError(def.name, `row ${i} repeats id ${JSON.stringify(id)} (field "${def.idField}")`);
    seen.add(id);
  }
}

export async function encodeRows(def: ResourceDefinition, rows: unknown, maxRows: number): Promise<EncodedDataset> {
  checkRows(def, rows, maxRows);
  const json = Buffer.from(JSON.stringify(rows), 'utf8');
  return {
    hash: createHash('sha256').update(json).digest('hex'),
    rows: rows.length,
    bytes: json.length,
    gzip: await gzip(json, { level: zlib.constants.Z_BEST_COMPRESSION }),
  };
}
