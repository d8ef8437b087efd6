import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeoutError } from '../../src/core/index.js';
import { Bootstrapper, DEFAULT_BOOTSTRAP_BACKOFF, DiscoveryError } from '../../src/discovery/index.js';
import { backoffDelay, backoffOptions, SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import type { Address } from '../../src/transport/index.js';
import { A, B, make, provider, SEED, settle } from './helpers.js';

describe('Bootstrapper retries', () => {
  it('retries with exponential backoff and jitter on the injected clock', async () => {
    const clock = new VirtualClock();
    const calls: number[] = [];
    const { b, events } = make(clock, {
      join: async () => {
        calls.push(clock.now());
        return false;
      },
    });
    b.start();
    assert.equal(b.state, 'running');
    await clock.advance(60_000);
    b.stop();

    const bo = backoffOptions(undefined, DEFAULT_BOOTSTRAP_BACKOFF);
    const twin = new SeededRandom(SEED); // same seed: same jitter draws
    assert.ok(calls.length >= 8, `only ${calls.length} attempts`);
    assert.equal(calls[0], 0);
    for (let i = 1; i < calls.length; i++) {
      const gap = calls[i]! - calls[i - 1]!;
      const base = Math.min(10_000, 500 * 2 ** (i - 1));
      assert.ok(gap >= base * 0.8 && gap <= base * 1.2, `gap ${i} = ${gap}, base ${base}`);
      assert.equal(gap, backoffDelay(i - 1, bo, twin));
    }
    assert.ok(
      calls.some((_, i) => i > 0 && calls[i]! - calls[i - 1]! !== Math.min(10_000, 500 * 2 ** (i - 1))),
    );
    assert.deepEqual(
      events.map((e) => e.attempt),
      calls.map((_, i) => i + 1),
    );
    assert.ok(events.every((e) => !e.joined && e.error === undefined && e.candidates.length === 1));
  });

  it('keeps trying until a bootstrap node that starts late comes up', async () => {
    const clock = new VirtualClock();
    const up = new Set<string>();
    clock.setTimeout(() => up.add(B.host), 7_000); // B starts 7 s after us; A never does
    const tried: Address[][] = [];
    const { b, events } = make(clock, {
      providers: [provider('fixed', [A, B])],
      // The caller's join: any one reachable candidate is enough.
      join: async (candidates) => {
        tried.push(candidates);
        return candidates.some((c) => up.has(c.host));
      },
    });
    const joined = b.joined();
    b.start();
    await clock.advance(30_000);
    await joined;
    assert.equal(b.state, 'joined');
    const last = events.at(-1)!;
    assert.equal(last.joined, true);
    assert.ok(last.at >= 7_000 && last.at < 7_000 + 6_000, `joined at ${last.at}`);
    assert.ok(events.slice(0, -1).every((e) => !e.joined));
    assert.deepEqual(tried.at(-1), [A, B]);
    const count = events.length;
    await clock.advance(60_000);
    assert.equal(events.length, count, 'no attempts after joining');
    await b.joined(); // already joined: resolves at once
  });

  it('retries when no provider has a candidate yet', async () => {
    const clock = new VirtualClock();
    let list: Address[] = [];
    const joins: Address[][] = [];
    const { b, events } = make(clock, {
      providers: [provider('late', async () => list)],
      join: async (c) => {
        joins.push(c);
        return true;
      },
    });
    b.start();
    await settle(clock);
    assert.equal(events[0]!.error instanceof DiscoveryError && events[0]!.error.code, 'NO_CANDIDATES');
    list = [A];
    await clock.advance(10_000);
    assert.equal(b.state, 'joined');
    assert.deepEqual(joins, [[A]]);
  });

  it('gives up on a join that outlives attemptTimeoutMs, then retries', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const { b, events } = make(clock, {
      attemptTimeoutMs: 2_000,
      join: () => (++n === 1 ? new Promise<boolean>(() => {}) : Promise.resolve(true)),
    });
    b.start();
    await clock.advance(2_000);
    assert.ok(events[0]!.error instanceof TimeoutError);
    assert.equal(events[0]!.at, 2_000);
    await clock.advance(1_000);
    assert.equal(b.state, 'joined');
  });

  it('survives an onAttempt callback that throws', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const b = new Bootstrapper({
      providers: [provider('fixed', [A])],
      join: async () => ++n >= 3,
      clock,
      random: new SeededRandom(1),
      onAttempt: () => {
        throw new Error('bad callback');
      },
    });
    b.start();
    await clock.advance(10_000);
    assert.equal(b.state, 'joined');
    assert.equal(n, 3);
  });
});
