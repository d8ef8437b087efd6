import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidRealmError,
  InvalidTopicError,
  isRealm,
  isTopic,
  parseRealm,
  parseTopic,
  qualifyTopic,
} from '../../src/core/index.js';

const label63 = `a${'b'.repeat(61)}c`;

describe('realms', () => {
  const valid = [
    'org.example.mesh',
    'io.macula',
    'a.b',
    'com.example-corp.mesh-1',
    '0.9',
    `${label63}.x`,
    // 253 characters: 63 × 3 labels + dots + 61
    [label63, label63, label63, 'd'.repeat(61)].join('.'),
  ];
  for (const r of valid) {
    it(`accepts ${r.length > 40 ? `${r.slice(0, 30)}… (${r.length})` : r}`, () => {
      assert.equal(parseRealm(r), r);
      assert.ok(isRealm(r));
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['mesh', /at least two/],
    ['Org.example.mesh', /lowercase/],
    ['org..mesh', /empty label/],
    ['.org.mesh', /empty label/],
    ['org.mesh.', /empty label/],
    ['org.-mesh', /inner hyphens/],
    ['org.mesh-', /inner hyphens/],
    ['org.me_sh', /inner hyphens/],
    ['org.me sh', /inner hyphens/],
    ['org.mesh/x', /inner hyphens/],
    [`${label63}x.org`, /longer than 63/],
    [[label63, label63, label63, 'd'.repeat(62)].join('.'), /longer than 253/],
  ];
  for (const [r, why] of invalid) {
    it(`refuses ${JSON.stringify(r.slice(0, 30))}: ${why.source}`, () => {
      assert.equal(isRealm(r), false);
      assert.throws(
        () => parseRealm(r),
        (e: unknown) => e instanceof InvalidRealmError && e.code === 'INVALID_REALM' && why.test(e.message),
      );
    });
  }

  it('refuses non-strings without throwing from isRealm', () => {
    assert.equal(isRealm(42), false);
    assert.equal(isRealm(undefined), false);
    assert.throws(() => parseRealm(null as unknown as string), /not a string/);
  });
});

describe('topics', () => {
  for (const t of ['hello', 'hello.world', 'Sensor_1.temp-C', 'a.b.c.d', 'x'.repeat(255)]) {
    it(`accepts ${t.slice(0, 30)}`, () => {
      assert.equal(parseTopic(t), t);
      assert.ok(isTopic(t));
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['hello..world', /empty segment/],
    ['.hello', /empty segment/],
    ['hello.', /empty segment/],
    ['hello.*', /may only hold/],
    ['hello.#', /may only hold/],
    ['hello world', /may only hold/],
    ['héllo', /may only hold/],
    ['x'.repeat(256), /longer than 255/],
  ];
  for (const [t, why] of invalid) {
    it(`refuses ${JSON.stringify(t.slice(0, 30))}: ${why.source}`, () => {
      assert.equal(isTopic(t), false);
      assert.throws(
        () => parseTopic(t),
        (e: unknown) => e instanceof InvalidTopicError && e.code === 'INVALID_TOPIC' && why.test(e.message),
      );
    });
  }

  it('qualifies a topic with its realm, validating both', () => {
    assert.equal(qualifyTopic('org.example.mesh', 'hello.world'), 'org.example.mesh.hello.world');
    assert.throws(() => qualifyTopic('Bad', 'hello'), InvalidRealmError);
    assert.throws(() => qualifyTopic('org.example.mesh', 'a..b'), InvalidTopicError);
  });
});
