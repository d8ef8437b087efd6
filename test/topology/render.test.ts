import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTopology, type TopologySnapshot } from '../../src/topology/index.js';
import { at } from './helpers.js';

const [me, b, c, d, e, f] = ['a3f5', 'b7c3', '9c01', '42aa', '07de', 'e1e1'].map(at) as [string, ...string[]];

const snapshot: TopologySnapshot = {
  self: me,
  k: 2,
  maxConnections: 16,
  desired: [b!, c!, d!, e!],
  connections: [
    { id: f!, direction: 'inbound', rttMs: 0.8, role: 'extra' },
    { id: c!, direction: 'inbound', rttMs: 1.25, role: 'ring' },
    { id: b!, direction: 'outbound', rttMs: 1.3, role: 'ring' },
    { id: d!, direction: 'outbound', rttMs: 12.5, role: 'long-range' },
  ],
  pendingDials: [],
  backoffs: [{ id: e!, attempt: 3, nextAttemptInMs: 1_500 }],
};

describe('renderTopology', () => {
  it('shows self, one line per peer with arrow, role and RTT, and a summary', () => {
    const names = new Map([
      [me, 'node1'],
      [b!, 'node2'],
      [c!, 'node3'],
      [d!, 'node4'],
    ]);
    const text = renderTopology(snapshot, names);
    console.log(text);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Mesh Topology (k=2, max 16 connections)');
    assert.equal(lines[1], '='.repeat(lines[0]!.length));
    assert.equal(lines[2], 'self: node1 (a3f50000…)');
    assert.deepEqual(lines.slice(4, 9), [
      '  ──→ node2 (b7c30000…)  ring        1.3 ms',
      '  ←── node3 (9c010000…)  ring        1.3 ms',
      '  ──→ node4 (42aa0000…)  long-range  12.5 ms',
      '  ··· 07de0000…          long-range  retry in 1.5 s (failures: 3)',
      '  ←── e1e10000…          extra       0.8 ms',
    ]);
    assert.ok(
      text.includes(
        '4 connections (2 ring, 1 long-range, 1 extra); 3/4 desired connected, 0 dialing, 1 backing off',
      ),
    );
    assert.ok(text.endsWith('Average RTT: 4.0 ms'));
  });

  it('renders an empty topology', () => {
    const text = renderTopology({ ...snapshot, desired: [], connections: [], backoffs: [] });
    assert.ok(text.includes('  (no peers)'));
    assert.ok(text.includes('0 connections'));
    assert.ok(text.endsWith('Average RTT: n/a'));
  });
});
