import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Balancer, checkProcedure, ProviderCache, providerKey, RpcError } from '../../src/rpc/index.js';
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';

describe('rpc units', () => {
  it('Balancer: round-robin rotates per procedure, lowest-rtt sorts measured first, random covers all', () => {
    const rtt = new Map([
      ['b', 5],
      ['c', 1],
    ]);
    const b = new Balancer(new SeededRandom(3), (id) => rtt.get(id));
    const ps = ['a', 'b', 'c'];
    assert.deepEqual(b.order('x', ps, 'round-robin'), ['a', 'b', 'c']);
    assert.deepEqual(b.order('x', ps, 'round-robin'), ['b', 'c', 'a']);
    assert.deepEqual(b.order('y', ps, 'round-robin'), ['a', 'b', 'c'], 'own cursor per procedure');
    assert.deepEqual(b.order('x', ps, 'round-robin'), ['c', 'a', 'b']);
    assert.deepEqual(b.order('x', ps, 'lowest-rtt'), ['c', 'b', 'a']);
    const firsts = new Set(Array.from({ length: 60 }, () => b.order('z', ps, 'random')[0]));
    assert.deepEqual([...firsts].sort(), ps);
    assert.deepEqual(b.order('x', ['only'], 'random'), ['only']);
  });

  it('ProviderCache: expires, drops a dead node everywhere, stays bounded', async () => {
    const clock = new VirtualClock();
    const c = new ProviderCache(clock, 1000, 2);
    c.set('p1', ['a', 'b']);
    c.set('p2', ['b']);
    c.dropNode('b');
    assert.deepEqual(c.get('p1'), ['a']);
    assert.equal(c.get('p2'), undefined);
    c.set('p2', ['x']);
    c.set('p3', ['y']);
    assert.equal(c.size, 2);
    assert.equal(c.get('p1'), undefined, 'oldest dropped');
    assert.deepEqual(c.peek('p2'), { providers: ['x'], expired: false });
    await clock.advance(1000);
    assert.deepEqual(c.peek('p2'), { providers: ['x'], expired: true }, 'peek keeps an expired list');
    assert.equal(c.get('p3'), undefined, 'expired');
    assert.equal(c.peek('p3'), undefined, 'get dropped it');
  });

  it('procedure names use topic syntax', () => {
    assert.equal(checkProcedure('chat.who'), 'chat.who');
    for (const bad of ['', 'a..b', 'sp ace', 7]) assert.throws(() => checkProcedure(bad), RpcError);
    assert.equal(providerKey('chat.who'), 'rpc:provider:chat.who');
  });
});
