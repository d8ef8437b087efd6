import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';

type ZodIssue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** `['discovery', 'staticNodes', 1]` → `discovery.staticNodes[1]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A short, quoted rendering of a bad value for `(got …)`. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** Turns zod's issues into one readable {@link ConfigIssue} per problem, paths prefixed by `prefix`. */
export function toConfigIssues(issues: readonly ZodIssue[], prefix: readonly PathKey[] = []): ConfigIssue[] {
  return issues.flatMap((iss) => convert(iss, [...prefix, ...iss.path]));
}

function convert(iss: ZodIssue, path: PathKey[]): ConfigIssue[] {
  const at = formatPath(path);
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return [{ path: at, message: 'is required' }];
      const noun = NOUNS[iss.expected] ?? iss.expected;
      return [{ path: at, message: `must be ${noun} (got ${showValue(iss.input)})` }];
    }
    case 'invalid_value': {
      const vals = iss.values.map((v) => (typeof v === 'string' ? v : showValue(v)));
      const what = vals.length === 1 ? `"${vals[0]}"` : `one of ${vals.join(', ')}`;
      return [{ path: at, message: `must be ${what} (got ${showValue(iss.input)})` }];
    }
    case 'unrecognized_keys':
      return iss.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown option' }));
    case 'invalid_union': {
      // When the value has the right shape for exactly one branch (e.g. an object for
      // `'auto' | { ca, cert, key }`), that branch's detailed problems are the useful ones.
      const shaped = iss.errors.filter((branch) => !branch.some(isRootMismatch));
      if (shaped.length === 1) return toConfigIssues(shaped[0] ?? [], path);
      return [{ path: at, message: iss.message }];
    }
    default:
      return [{ path: at, message: iss.message }];
  }
}

function isRootMismatch(iss: ZodIssue): boolean {
  return iss.path.length === 0 && (iss.code === 'invalid_type' || iss.code === 'invalid_value');
}
