// `macula routes` / `macula lookup` output from canned answers (no processes).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LookupAnswer, RoutesAnswer } from '../../src/cli/answers.js';
import {
  formatLookup,
  formatRoutes,
  formatStep,
  label,
  lookupFailure,
  lookupTarget,
} from '../../src/cli/routing-format.js';

const id = (c: string) => c.repeat(64);
const SELF = id('f');
const A = id('a');
const B = id('b');
const C = id('c');
const names = { [SELF]: 'node1', [A]: 'node2', [C]: 'node3' };
const at = (port: number) => ({ host: '127.0.0.1', port });

const zeroLookups = {
  lookups: 0,
  succeeded: 0,
  failed: 0,
  aborted: 0,
  queries: 0,
  timeouts: 0,
  rejected: {},
};
const zeroRouted = {
  sent: 0,
  delivered: 0,
  forwarded: 0,
  fallbacks: 0,
  retries: 0,
  duplicates: 0,
  rejected: {},
};
const table = {
  size: 3,
  buckets: 2,
  replacements: 0,
  added: 3,
  evicted: 0,
  checks: 0,
  checkFailures: 0,
  rejected: {},
};

function routes(over: Partial<RoutesAnswer> = {}): RoutesAnswer {
  return {
    selfId: SELF,
    k: 20,
    table,
    buckets: [
      { index: 3, size: 1, peers: [{ id: A, ...at(4434), rttMs: 12.345, failures: 0 }] },
      {
        index: 0,
        size: 2,
        peers: [
          { id: B, ...at(4435), failures: 2 },
          { id: C, ...at(4436), rttMs: 150.4, failures: 0 },
        ],
      },
    ],
    lookups: zeroLookups,
    routed: zeroRouted,
    names,
    ...over,
  };
}

describe('lookupTarget', () => {
  it('takes a 64-hex node id as is, lowercased', () => {
    assert.deepEqual(lookupTarget(id('A')), { target: id('a') });
    assert.deepEqual(lookupTarget(`${'0'.repeat(63)}F`), { target: `${'0'.repeat(63)}f` });
  });

  it('hashes anything else with sha256, as UTF-8', () => {
    const sha = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
    assert.deepEqual(lookupTarget('foo'), {
      target: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
      key: 'foo',
    });
    for (const key of ['g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'héllo ✓', ` ${id('a')}`]) {
      assert.deepEqual(lookupTarget(key), { target: sha(key), key });
    }
  });

  it('refuses an empty key', () => {
    assert.throws(() => lookupTarget(''), { code: 'INVALID_ARGUMENT' });
  });
});

describe('formatRoutes', () => {
  it('one line per bucket, nearest first, with names, short ids, RTTs and failures', () => {
    const text = formatRoutes(routes());
    assert.equal(
      text,
      [
        `Routing table of node1 ${SELF}`,
        '3 peers in 2 buckets, k=20',
        '',
        'BUCKET  SIZE  PEERS (bucket = id bits shared with this node)',
        '     3  1/20  node2 (aaaaaaaa) 12.3 ms',
        '     0  2/20  bbbbbbbb rtt ? 2 failures, node3 (cccccccc) 150 ms',
        '',
        'Table: 3 added, 0 evicted, 0 liveness checks (0 failed)',
        'Lookups: 0 (0 succeeded, 0 failed, 0 aborted), 0 queries, 0 timeouts',
        'Routed messages: 0 sent, 0 delivered, 0 forwarded, 0 fallbacks',
      ].join('\n'),
    );
  });

  it('wraps a full bucket under its PEERS column', () => {
    const peers = Array.from({ length: 12 }, (_, i) => ({
      id: i.toString(16).repeat(64),
      ...at(5000 + i),
      rttMs: 1,
      failures: 0,
    }));
    const text = formatRoutes(routes({ buckets: [{ index: 7, size: 12, peers }] }), 80);
    const bucket = text.split('\n').slice(4, -4); // between the header and the counters
    assert.ok(bucket.length > 1, text);
    for (const l of bucket) assert.ok(l.length <= 80, `too long: ${l}`);
    assert.match(bucket[0]!, /^ {5}7 {2}12\/20 {2}00000000 1\.0 ms,/);
    for (const l of bucket.slice(1)) assert.match(l, /^ {15}\S/);
    // Every peer appears once.
    for (const p of peers) assert.equal(text.split(p.id.slice(0, 8)).length, 2);
  });

  it('says so when the table is empty, and reports rejected inputs and replacements', () => {
    const text = formatRoutes(
      routes({
        buckets: [],
        table: { ...table, size: 0, buckets: 0, replacements: 4, rejected: { 'bad-id': 2 } },
        lookups: { ...zeroLookups, lookups: 1, failed: 1, rejected: { 'invalid-id': 1 } },
        routed: {
          ...zeroRouted,
          sent: 1,
          fallbacks: 1,
          retries: 2,
          duplicates: 1,
          rejected: { loop: 2, 'hop-limit': 1 },
        },
        names: {},
      }),
    );
    assert.match(text, new RegExp(`^Routing table of ${SELF}\n0 peers in 0 buckets, k=20, 4 waiting`));
    assert.match(text, /^No peers in the routing table yet\.$/m);
    assert.match(text, /^Table: .*, rejected 2 \(bad-id 2\)$/m);
    assert.match(text, /^Lookups: 1 \(0 succeeded, 1 failed, 0 aborted\), .*, rejected 1 \(invalid-id 1\)$/m);
    assert.match(
      text,
      /^Routed messages: 1 sent, .* 1 fallback, 2 retries, 1 duplicate, rejected 3 \(loop 2, hop-limit 1\)$/m,
    );
  });
});

const peerA = { id: A, address: at(4434) };
const peerB = { id: B, address: at(4435) };
const peerC = { id: C, address: at(4436) };

function lookupAnswer(over: Partial<LookupAnswer> = {}): LookupAnswer {
  return {
    self: SELF,
    target: C,
    steps: [
      { type: 'query', peer: peerA, hop: 1, timeoutMs: 500, ms: 0.1 },
      { type: 'query', peer: peerB, hop: 1, timeoutMs: 500, ms: 0.2 },
      { type: 'response', peer: peerA, hop: 1, rttMs: 12.34, contacts: 3, ms: 12.5 },
      { type: 'query', peer: peerC, hop: 2, timeoutMs: 500, ms: 12.6 },
      { type: 'response', peer: peerC, hop: 2, rttMs: 1.2, contacts: 1, ms: 13.9 },
      { type: 'timeout', peer: peerB, hop: 1, timeoutMs: 500, ms: 500.3 },
    ],
    result: {
      target: C,
      closest: [peerC, peerA],
      queried: 3,
      messages: 5,
      hops: 2,
      rounds: 2,
      timeouts: 1,
      durationMs: 500.4,
    },
    prefixBits: { [SELF]: 1, [C]: 256, [A]: 0 },
    names,
    ...over,
  };
}

describe('formatLookup', () => {
  it('prints each step with its time, the closest nodes and the summary', () => {
    assert.equal(
      formatLookup(lookupAnswer()),
      [
        'Lookup of cccccccccccccccc... from node1 (ffffffff)',
        '   0.1 ms  hop 1 → query node2 (aaaaaaaa) 127.0.0.1:4434',
        '   0.2 ms  hop 1 → query bbbbbbbb 127.0.0.1:4435',
        '  12.5 ms  hop 1 ← response node2 (aaaaaaaa) 12.3 ms, 3 contacts',
        '  12.6 ms  hop 2 → query node3 (cccccccc) 127.0.0.1:4436',
        '  13.9 ms  hop 2 ← response node3 (cccccccc) 1.2 ms, 1 contact',
        '   500 ms  hop 1 ✗ timeout bbbbbbbb: no answer within 500 ms',
        '',
        'Closest to the target (bits of the id shared with it; more = closer):',
        '  1. node3 (cccccccc)  256 bits (the target itself)  127.0.0.1:4436',
        '  2. node2 (aaaaaaaa)  0 bits                        127.0.0.1:4434',
        '  (this node: 1 bit)',
        '',
        'found in 2 hops, 5 messages, 500 ms (3 peers queried, 2 rounds, 1 timeout)',
      ].join('\n'),
    );
  });

  it('says which key was hashed', () => {
    const { target, key } = lookupTarget('foo');
    const text = formatLookup(lookupAnswer({ target }), key);
    assert.equal(text.split('\n')[0], `key "foo" → ${target}`);
  });

  it('a failed lookup: its steps, no result, and an error line with a hint when nobody was asked', () => {
    const error = { code: 'LOOKUP_FAILED', message: 'Lookup of cccccccc failed: none of 1 peers answered' };
    const failed = lookupAnswer({
      steps: [
        { type: 'query', peer: peerB, hop: 1, timeoutMs: 500, ms: 0 },
        { type: 'failure', peer: peerB, hop: 1, error: 'connection refused', ms: 3 },
      ],
      error,
    });
    delete failed.result;
    const text = formatLookup(failed);
    assert.match(text, /hop 1 ✗ failed bbbbbbbb: connection refused$/);
    assert.doesNotMatch(text, /Closest|found in/);
    assert.equal(lookupFailure(failed), error.message);

    const alone = lookupAnswer({
      steps: [],
      error: { code: 'LOOKUP_FAILED', message: 'no known peer to ask' },
    });
    delete alone.result;
    assert.match(formatLookup(alone), /\(no query sent\)$/);
    assert.match(lookupFailure(alone), /^no known peer to ask \(the routing table is empty/);
  });
});

describe('formatStep and label', () => {
  it('label: name and 8 hex digits, or the digits alone', () => {
    assert.equal(label(A, names), 'node2 (aaaaaaaa)');
    assert.equal(label(B, names), 'bbbbbbbb');
  });

  it('formats every step kind', () => {
    assert.equal(
      formatStep({ type: 'timeout', peer: peerA, hop: 3, timeoutMs: 2000, ms: 2001 }, names),
      '  2001 ms  hop 3 ✗ timeout node2 (aaaaaaaa): no answer within 2000 ms',
    );
    assert.equal(
      formatStep({ type: 'failure', peer: peerA, hop: 2, error: 'boom', ms: 1 }, {}),
      '   1.0 ms  hop 2 ✗ failed aaaaaaaa: boom',
    );
  });
});
