import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, InvalidTopicError } from '../../src/core/index.js';
import { type MatchMode, matches, PatternError, parsePattern } from '../../src/pubsub/index.js';

type Mode = MatchMode | undefined;
const deep = Array.from({ length: 40 }, (_, i) => `s${i}`).join('.');

// pattern, match option, topic, expected
const MATCHES: [string, Mode, string, boolean][] = [
  // exact
  ['hello.world', undefined, 'hello.world', true],
  ['hello.world', undefined, 'hello', false],
  ['hello.world', undefined, 'hello.world.x', false],
  ['hello.world', undefined, 'Hello.world', false], // case-sensitive
  ['hello.world', 'exact', 'hello.world', true],
  ['a', undefined, 'a', true],
  ['a', undefined, 'b', false],
  [deep, undefined, deep, true],
  // `*`: exactly one segment
  ['sensor.*', undefined, 'sensor.temp', true],
  ['sensor.*', undefined, 'sensor', false],
  ['sensor.*', undefined, 'sensor.temp.x', false],
  ['sensor.*.temp', undefined, 'sensor.k1.temp', true],
  ['sensor.*.temp', undefined, 'sensor.temp', false],
  ['sensor.*.temp', undefined, 'sensor.k1.k2.temp', false],
  ['*', undefined, 'anything', true],
  ['*', undefined, 'a.b', false],
  ['*.*', undefined, 'a.b', true],
  ['*.b', undefined, 'a.b', true],
  ['*.b', undefined, 'a.c', false],
  // `**`: zero or more, last only
  ['sensor.**', undefined, 'sensor', true],
  ['sensor.**', undefined, 'sensor.a', true],
  ['sensor.**', undefined, 'sensor.a.b.c', true],
  ['sensor.**', undefined, 'sensors.a', false],
  ['sensor.**', undefined, 'other.sensor', false],
  ['**', undefined, 'x', true],
  ['**', undefined, deep, true],
  ['*.**', undefined, 'x', true],
  ['a.*.**', undefined, 'a', false],
  ['a.*.**', undefined, 'a.b', true],
  ['a.*.**', undefined, 'a.b.c.d', true],
  ['s0.**', undefined, deep, true],
  // wildcard mode without wildcards behaves as exact
  ['a.b', 'wildcard', 'a.b', true],
  ['a.b', 'wildcard', 'a.b.c', false],
  // prefix (seed): the topic and everything below
  ['sensor.*', 'prefix', 'sensor', true],
  ['sensor.*', 'prefix', 'sensor.x', true],
  ['sensor.*', 'prefix', 'sensor.x.y', true],
  ['sensor.*', 'prefix', 'sensors', false],
  ['sensor.*', 'prefix', 'other', false],
  ['sensor', 'prefix', 'sensor.x', true],
  ['a.b', 'prefix', 'a', false],
  ['a.b', 'prefix', 'a.b.c', true],
  [deep, 'prefix', `${deep}.more`, true],
  // invalid topics never match
  ['**', undefined, '', false],
  ['**', undefined, 'a..b', false],
  ['*', undefined, '*', false],
  ['**', undefined, 'x'.repeat(256), false],
];

// pattern, match option, expected error class, code
const INVALID: [unknown, Mode, new (...a: never[]) => Error, string][] = [
  ['', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['a..b', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['.a', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['a.', 'wildcard', InvalidTopicError, 'INVALID_TOPIC'],
  ['a b', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['a.b/c', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['é', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['x'.repeat(256), undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['a.>', undefined, InvalidTopicError, 'INVALID_TOPIC'],
  [42, undefined, InvalidTopicError, 'INVALID_TOPIC'],
  ['a*', undefined, PatternError, 'INVALID_PATTERN'],
  ['a.b*c', undefined, PatternError, 'INVALID_PATTERN'],
  ['***', undefined, PatternError, 'INVALID_PATTERN'],
  ['**.a', undefined, PatternError, 'INVALID_PATTERN'],
  ['a.**.b', undefined, PatternError, 'INVALID_PATTERN'],
  ['a.**.**', undefined, PatternError, 'INVALID_PATTERN'],
  ['a.*', 'exact', PatternError, 'INVALID_PATTERN'],
  ['**', 'exact', PatternError, 'INVALID_PATTERN'],
  ['*', 'prefix', PatternError, 'INVALID_PATTERN'],
  ['a.*.b', 'prefix', PatternError, 'INVALID_PATTERN'],
  ['a.**', 'prefix', PatternError, 'INVALID_PATTERN'],
  ['a.*.*', 'prefix', PatternError, 'INVALID_PATTERN'],
  ['a', 'glob' as MatchMode, InvalidArgumentError, 'INVALID_ARGUMENT'],
];

describe('parsePattern / matches', () => {
  for (const [pattern, match, topic, expected] of MATCHES) {
    const name = `${pattern.slice(0, 20)}${match ? ` (${match})` : ''} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(topic.slice(0, 20))}`;
    it(name, () => {
      assert.equal(matches(parsePattern(pattern, match ? { match } : {}), topic), expected);
    });
  }

  for (const [pattern, match, cls, code] of INVALID) {
    it(`${JSON.stringify(pattern).slice(0, 24)}${match ? ` (${match})` : ''} is refused with ${code}`, () => {
      assert.throws(
        () => parsePattern(pattern as string, match ? { match } : {}),
        (e: unknown) =>
          e instanceof cls &&
          (e as { code?: string }).code === code &&
          /pattern|match/i.test((e as Error).message),
      );
    });
  }

  it('describes the pattern: mode, segments, literal prefix; frozen', () => {
    const cases: [string, Mode, MatchMode, string[], string[]][] = [
      ['hello.world', undefined, 'exact', ['hello', 'world'], ['hello', 'world']],
      ['a.b', 'wildcard', 'exact', ['a', 'b'], ['a', 'b']],
      ['sensor.*.temp', undefined, 'wildcard', ['sensor', '*', 'temp'], ['sensor']],
      ['**', undefined, 'wildcard', ['**'], []],
      ['*.x', undefined, 'wildcard', ['*', 'x'], []],
      ['sensor.*', 'prefix', 'prefix', ['sensor'], ['sensor']],
      ['a.b', 'prefix', 'prefix', ['a', 'b'], ['a', 'b']],
    ];
    for (const [source, match, mode, segments, literalPrefix] of cases) {
      const p = parsePattern(source, match ? { match } : {});
      assert.deepEqual({ ...p }, { source, match: mode, segments, literalPrefix }, source);
      assert.ok(Object.isFrozen(p) && Object.isFrozen(p.segments) && Object.isFrozen(p.literalPrefix));
    }
  });

  it('error messages say what is wrong', () => {
    assert.throws(() => parsePattern('a.**.b'), /"\*\*" may only be the last segment/);
    assert.throws(() => parsePattern('a.b*c'), /"b\*c" mixes "\*" with text/);
    assert.throws(() => parsePattern('a..b'), /empty segment/);
    assert.throws(() => parsePattern('a.*', { match: 'exact' }), /wildcard but match is 'exact'/);
  });
});
