import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidTopicError } from '../../src/core/index.js';
import { announceKey, lookupKeys, matches, parsePattern } from '../../src/pubsub/index.js';
import { pattern, topic } from './arbitraries.js';

describe('registry keys', () => {
  it('announces exact patterns under the topic and others under their literal prefix', () => {
    const cases: [string, 'prefix' | undefined, string][] = [
      ['hello.world', undefined, 'pubsub:exact:hello.world'],
      ['sensor.*.temp', undefined, 'pubsub:prefix:sensor'],
      ['sensor.a.**', undefined, 'pubsub:prefix:sensor.a'],
      ['**', undefined, 'pubsub:prefix:'],
      ['*.temp', undefined, 'pubsub:prefix:'],
      ['sensor.*', 'prefix', 'pubsub:prefix:sensor'],
    ];
    for (const [p, match, key] of cases)
      assert.equal(announceKey(parsePattern(p, match ? { match } : {})), key);
    assert.equal(announceKey(parsePattern('a.b', { match: 'wildcard' })), 'pubsub:exact:a.b');
  });

  it('a topic of depth d gives d + 2 lookup keys, from the empty prefix to the whole topic', () => {
    assert.deepEqual(lookupKeys('a'), ['pubsub:exact:a', 'pubsub:prefix:', 'pubsub:prefix:a']);
    assert.deepEqual(lookupKeys('sensor.k1.temp'), [
      'pubsub:exact:sensor.k1.temp',
      'pubsub:prefix:',
      'pubsub:prefix:sensor',
      'pubsub:prefix:sensor.k1',
      'pubsub:prefix:sensor.k1.temp',
    ]);
    assert.throws(() => lookupKeys('a..b'), InvalidTopicError);
  });

  it('property: whenever p matches t, announceKey(p) is among lookupKeys(t)', () => {
    fc.assert(
      fc.property(pattern, topic, (p, t) => {
        fc.pre(matches(p, t));
        assert.ok(lookupKeys(t).includes(announceKey(p)), `${p.source} (${p.match}) / ${t}`);
      }),
      { numRuns: 2000 },
    );
    // The same over matching pairs built directly, so the precondition never starves the run.
    fc.assert(
      fc.property(topic, fc.nat(), (t, cut) => {
        const segs = t.split('.');
        const keep = segs.slice(0, cut % (segs.length + 1));
        const p = parsePattern([...keep, '**'].join('.'));
        assert.ok(matches(p, t));
        const keys = lookupKeys(t);
        assert.equal(keys.length, segs.length + 2);
        assert.ok(keys.includes(announceKey(p)));
      }),
    );
  });
});
