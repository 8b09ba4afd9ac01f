import { Decimal128, Long, ObjectId } from 'mongodb';
import { isDoc, type Doc } from '../query/values';

/** Renders a value the way mongod prints it inside E11000 messages. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Decimal128) return `Decimal128("${value.toString()}")`;
  if (value instanceof Long) return value.toString();
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isDoc(value)) return formatKeyValue(value);
  return String(value);
}

export function formatKeyValue(keyValue: Doc): string {
  const fields = Object.entries(keyValue).map(([k, v]) => `${k}: ${formatValue(v)}`);
  return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
}

export function duplicateKeyMessage(ns: string, indexName: string, keyValue: Doc): string {
  return `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${formatKeyValue(keyValue)}`;
}
