import { Binary, BSONRegExp, Decimal128, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import { isDoc } from './values';

/**
 * BSON type name of a stored value. int32 and double both arrive as JS numbers, so integral
 * numbers in int32 range report "int" and the rest "double" (a known gap of the test server).
 */
export function bsonTypeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 0x7fffffff ? 'int' : 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  if (isDoc(value)) return 'object';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Date) return 'date';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Timestamp) return 'timestamp';
  if (value instanceof RegExp || value instanceof BSONRegExp) return 'regex';
  if (value instanceof MinKey) return 'minKey';
  if (value instanceof MaxKey) return 'maxKey';
  return 'unknown';
}

const NUMBER_CODES: Record<number, string> = {
  1: 'double', 2: 'string', 3: 'object', 4: 'array', 5: 'binData', 7: 'objectId', 8: 'bool', 9: 'date',
  10: 'null', 11: 'regex', 16: 'int', 17: 'timestamp', 18: 'long', 19: 'decimal', [-1]: 'minKey', 127: 'maxKey',
};

/** `$type` test accepting aliases ("string", "number") or numeric codes (2, 16). */
export function matchesType(value: unknown, alias: unknown): boolean {
  const name = typeof alias === 'number' ? NUMBER_CODES[alias] : alias;
  const actual = bsonTypeName(value);
  if (name === 'number') return ['int', 'double', 'long', 'decimal'].includes(actual);
  if (name === 'double' && actual === 'int') return true;
  return actual === name;
}
