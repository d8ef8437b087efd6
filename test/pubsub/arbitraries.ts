import fc from 'fast-check';
import { type Pattern, parsePattern } from '../../src/pubsub/index.js';

// A tiny alphabet so random patterns and topics actually meet.
const literal = fc.constantFrom('a', 'b', 'c');

/** Topics of depth 1–5 over a, b, c. */
export const topic = fc.array(literal, { minLength: 1, maxLength: 5 }).map((s) => s.join('.'));

const exact = topic.map((t) => parsePattern(t));
const wildcard = fc
  .tuple(fc.array(fc.oneof(literal, fc.constant('*')), { maxLength: 4 }), fc.boolean())
  .filter(([segs, globstar]) => segs.length > 0 || globstar)
  .map(([segs, globstar]) => parsePattern([...segs, ...(globstar ? ['**'] : [])].join('.')));
const prefix = fc
  .tuple(topic, fc.boolean())
  .map(([t, star]) => parsePattern(star ? `${t}.*` : t, { match: 'prefix' }));

/** Any valid pattern: exact, wildcard (`*`, final `**`) or prefix. */
export const pattern: fc.Arbitrary<Pattern> = fc.oneof(exact, wildcard, prefix);
