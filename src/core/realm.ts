import { InvalidRealmError, quoteInput } from './errors.js';

declare const realmBrand: unique symbol;
/** A validated realm name (see {@link parseRealm}). */
export type Realm = string & { readonly [realmBrand]: true };

const LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_LENGTH = 253;

/** Why `s` is not a realm, or null when it is one. */
function realmProblem(s: unknown): string | null {
  if (typeof s !== 'string') return 'it is not a string';
  if (s.length === 0) return 'it is empty';
  if (s.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (s !== s.toLowerCase()) return 'it must be lowercase';
  const labels = s.split('.');
  if (labels.length < 2)
    return 'it needs at least two dot-separated labels (reverse-DNS, e.g. org.example.mesh)';
  for (const label of labels) {
    if (label.length === 0) return 'it has an empty label';
    if (label.length > 63) return `label ${quoteInput(label, 20)} is longer than 63 characters`;
    if (!LABEL_RE.test(label)) {
      return `label ${quoteInput(label, 20)} must be a-z, 0-9 and inner hyphens`;
    }
  }
  return null;
}

/**
 * A realm is a mesh's namespace, a reverse-DNS name such as `org.example.mesh`: at least
 * two labels of `a-z0-9` with inner hyphens (≤ 63 each), ≤ 253 characters, lowercase.
 * Throws {@link InvalidRealmError} otherwise.
 */
export function parseRealm(s: string): Realm {
  const problem = realmProblem(s);
  if (problem !== null) throw new InvalidRealmError(`Invalid realm ${quoteInput(s)}: ${problem}`);
  return s as Realm;
}

/** True when `s` is a valid realm name. */
export function isRealm(s: unknown): s is Realm {
  return realmProblem(s) === null;
}
