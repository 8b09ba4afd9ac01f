/** HTTP validators of the resources routes: ETags, If-None-Match (RFC 9110 §13.1.2, weak comparison). */
import { createHash } from 'node:crypto';
import type { VersionRow } from './version-store';

/**
 * A version's ETag. Weak, because one version has two representations (gzip and, for a client that refuses
 * gzip, the inflated JSON) that are equivalent but not byte-identical.
 */
export function datasetEtag(row: Pick<VersionRow, 'version' | 'hash'>): string {
  let tag = etags.get(row);
  if (tag === undefined) etags.set(row, (tag = `W/"${row.version}-${row.hash.slice(0, 16)}"`));
  return tag;
}

/** A row's ETag, made once per row object (a cached row answers every revalidation of its version). */
const etags = new WeakMap<object, string>();

/** The version table's ETag: changes whenever any resource's version or content does. */
export function tableEtag(rows: ReadonlyArray<Pick<VersionRow, 'name' | 'version' | 'hash'>>): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r.name}:${r.version}:${r.hash};`);
  return `W/"${h.digest('hex').slice(0, 24)}"`;
}

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** Whether an If-None-Match header matches `etag` (weak comparison; `*` matches anything). */
export function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  // What a client that cached the answer sends back: the ETag as given.
  if (header === etag) return true;
  const want = opaque(etag);
  return (Array.isArray(header) ? header.join(',') : header).split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}
