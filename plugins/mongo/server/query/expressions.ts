import { CommandError } from '../errors';
import { EXPRESSION_OPERATORS } from './expression-operators';
import { getExpressionPath, splitPath } from './paths';
import { isDoc, type Doc } from './values';

/** Variables visible to an expression ($$ROOT, $$CURRENT and user variables from `let`). */
export type Variables = Record<string, unknown>;

/** Evaluates an aggregation expression against a document. */
export function evaluate(expr: unknown, root: Doc, vars: Variables = {}): unknown {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) return readVariable(expr.slice(2), root, vars);
    if (expr.startsWith('$')) return getExpressionPath(root, splitPath(expr.slice(1)));
    return expr;
  }
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, root, vars));
  if (!isDoc(expr)) return expr;
  const keys = Object.keys(expr);
  if (keys.length === 1 && keys[0].startsWith('$')) return applyOperator(keys[0], expr[keys[0]], root, vars);
  const out: Doc = {};
  for (const k of keys) {
    if (k.startsWith('$')) throw new CommandError(168, `Unrecognized expression '${k}'`);
    const v = evaluate(expr[k], root, vars);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function readVariable(ref: string, root: Doc, vars: Variables): unknown {
  const parts = splitPath(ref);
  const [name, ...rest] = parts;
  let base: unknown;
  if (name === 'ROOT' || name === 'CURRENT') base = root;
  else if (name === 'REMOVE') return undefined;
  else if (name in vars) base = vars[name];
  else throw new CommandError(17276, `Use of undefined variable: ${name}`);
  return rest.length === 0 ? base : getExpressionPath(base, rest);
}

function applyOperator(op: string, arg: unknown, root: Doc, vars: Variables): unknown {
  if (op === '$literal') return arg;
  const impl = EXPRESSION_OPERATORS[op];
  if (!impl) throw new CommandError(168, `Unrecognized expression '${op}'`);
  const lazy = (e: unknown): unknown => evaluate(e, root, vars);
  return impl(arg, lazy);
}
