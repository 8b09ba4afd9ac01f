import { badValue, notSupported } from '../errors';
import { collectPathValues, splitPath } from '../query/paths';
import { isDoc, keyOf, type Doc } from '../query/values';

/** Keys a document is reachable by through `field`: every array element, or null when missing. */
function keysAt(doc: Doc, parts: string[]): string[] {
  const values = collectPathValues(doc, parts).flatMap((v) => (Array.isArray(v) ? (v.length ? v : [undefined]) : [v]));
  return values.length === 0 ? ['n'] : [...new Set(values.map(keyOf))];
}

/** $lookup with localField/foreignField equality, joined through a hash of the foreign side. */
export function lookupStage(docs: Doc[], spec: unknown, foreignDocs: (name: string) => Doc[]): Doc[] {
  if (!isDoc(spec)) throw badValue('$lookup must be an object');
  if ('pipeline' in spec || 'let' in spec) throw notSupported('$lookup with pipeline/let');
  const { from, localField, foreignField, as } = spec;
  if (typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string' || typeof as !== 'string') {
    throw badValue('$lookup needs string from, localField, foreignField and as');
  }
  const byKey = new Map<string, Doc[]>();
  const foreignParts = splitPath(foreignField);
  for (const f of foreignDocs(from)) {
    for (const k of keysAt(f, foreignParts)) {
      const list = byKey.get(k);
      if (list) list.push(f);
      else byKey.set(k, [f]);
    }
  }
  const localParts = splitPath(localField);
  return docs.map((doc) => {
    const matched = new Set<Doc>();
    for (const k of keysAt(doc, localParts)) for (const f of byKey.get(k) ?? []) matched.add(f);
    return { ...doc, [as]: [...matched] };
  });
}
