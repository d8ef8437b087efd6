import { InvalidArgumentError, InvalidTopicError, isTopic } from '../core/index.js';
import { PatternError, quote } from './errors.js';
import { GLOBSTAR, STAR } from './segments.js';
import type { MatchMode, Pattern, PatternOptions } from './types.js';

const MAX_LENGTH = 255;
const LITERAL = /^[A-Za-z0-9_-]+$/;
const MODES: readonly MatchMode[] = ['exact', 'prefix', 'wildcard'];

const isWildcard = (s: string) => s === STAR || s === GLOBSTAR;

/**
 * Parses a subscription pattern.
 *
 * - `hello.world` — exact: that topic only.
 * - `sensor.*.temp` — `*` is exactly one segment.
 * - `sensor.**` — a final `**` is zero or more segments (`sensor`, `sensor.a.b`…).
 * - `parsePattern('sensor.*', { match: 'prefix' })` — `sensor` and every topic below it
 *   (the seed's `#{match => prefix}`; the trailing `.*` is optional and stripped).
 *
 * Without `match`, a pattern with a `*` or `**` segment is `'wildcard'`, else `'exact'`.
 *
 * @throws InvalidTopicError (`INVALID_TOPIC`) when the text is wrong: empty, longer than
 *   255 characters, an empty segment, a character outside `A-Za-z0-9_-`.
 * @throws PatternError (`INVALID_PATTERN`) when wildcards are misused: `a*b`, `**` not
 *   last, a wildcard under `match: 'exact'`, a wildcard other than a final `.*` under
 *   `match: 'prefix'`.
 */
export function parsePattern(pattern: string, opts: PatternOptions = {}): Pattern {
  const mode = opts.match;
  if (mode !== undefined && !MODES.includes(mode)) {
    throw new InvalidArgumentError(`match must be 'exact', 'prefix' or 'wildcard', got ${quote(mode)}`);
  }
  const segments = splitPattern(pattern);
  if (mode === 'prefix') return prefixPattern(pattern, segments);
  const firstWild = segments.findIndex(isWildcard);
  if (firstWild < 0) return make(pattern, 'exact', segments, segments);
  const fail = (why: string) => new PatternError(`Invalid pattern ${quote(pattern)}: ${why}`);
  if (mode === 'exact') {
    throw fail(`${quote(segments[firstWild])} is a wildcard but match is 'exact' (use 'wildcard')`);
  }
  const globstar = segments.indexOf(GLOBSTAR);
  if (globstar >= 0 && globstar !== segments.length - 1) {
    throw fail('"**" may only be the last segment');
  }
  return make(pattern, 'wildcard', segments, segments.slice(0, firstWild));
}

/**
 * True when `topic` is a valid topic that `p` matches. The plain reference
 * implementation (tests use it as the oracle of `TopicTrie`).
 */
export function matches(p: Pattern, topic: string): boolean {
  if (!isTopic(topic)) return false;
  const t = topic.split('.');
  const s = p.segments;
  if (p.match === 'exact') return t.length === s.length && s.every((x, i) => x === t[i]);
  if (p.match === 'prefix') return t.length >= s.length && s.every((x, i) => x === t[i]);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === GLOBSTAR) return true;
    if (i >= t.length) return false;
    if (s[i] !== STAR && s[i] !== t[i]) return false;
  }
  return t.length === s.length;
}

function splitPattern(pattern: string): string[] {
  const bad = (why: string) => new InvalidTopicError(`Invalid pattern ${quote(pattern)}: ${why}`);
  if (typeof pattern !== 'string') throw bad('it is not a string');
  if (pattern.length === 0) throw bad('it is empty');
  if (pattern.length > MAX_LENGTH) throw bad(`it is longer than ${MAX_LENGTH} characters`);
  const segments = pattern.split('.');
  for (const seg of segments) {
    if (seg.length === 0) throw bad('it has an empty segment');
    if (isWildcard(seg)) continue;
    if (seg.includes('*')) {
      throw new PatternError(
        `Invalid pattern ${quote(pattern)}: segment ${quote(seg, 20)} mixes "*" with text; a wildcard is a whole segment`,
      );
    }
    if (!LITERAL.test(seg)) throw bad(`segment ${quote(seg, 20)} may only hold A-Z, a-z, 0-9, "_" and "-"`);
  }
  return segments;
}

function prefixPattern(pattern: string, segments: string[]): Pattern {
  // `sensor.*` is the seed's spelling of "sensor and below": drop the trailing `*`.
  const literal = segments.length > 1 && segments.at(-1) === STAR ? segments.slice(0, -1) : segments;
  const wild = literal.find(isWildcard);
  if (wild !== undefined) {
    throw new PatternError(
      `Invalid pattern ${quote(pattern)}: a prefix pattern is a topic optionally followed by ".*", ` +
        `it cannot hold ${quote(wild)} there (use match 'wildcard', or "**" to match every topic)`,
    );
  }
  return make(pattern, 'prefix', literal, literal);
}

function make(source: string, match: MatchMode, segments: string[], literalPrefix: string[]): Pattern {
  const segs = Object.freeze(segments);
  return Object.freeze({ source, match, segments: segs, literalPrefix: Object.freeze(literalPrefix) });
}
