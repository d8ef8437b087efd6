import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, InvalidArgumentError, TimeoutError } from '../../src/core/index.js';
import { DiscoveryError, staticDiscovery } from '../../src/discovery/index.js';
import { type AbortOptions, VirtualClock } from '../../src/runtime/index.js';
import type { Address } from '../../src/transport/index.js';
import { A, B, make, provider, recordingLogger, settle } from './helpers.js';

describe('Bootstrapper lifecycle', () => {
  it('is idle with no providers: the node is the mesh', async () => {
    const clock = new VirtualClock();
    let joins = 0;
    const { b, events } = make(clock, { providers: [], join: async () => ++joins > 0 });
    b.start();
    assert.equal(b.state, 'idle');
    await assert.rejects(
      b.joined(),
      (e: unknown) => e instanceof DiscoveryError && e.code === 'NO_PROVIDERS',
    );
    b.restart();
    await clock.runUntilIdle();
    assert.equal(b.state, 'idle');
    assert.equal(joins, 0);
    assert.equal(events.length, 0);
    assert.equal(clock.pending, 0);
  });

  it('stop() aborts the in-flight join and cancels retries', async () => {
    const clock = new VirtualClock();
    const signals: (AbortSignal | undefined)[] = [];
    const { b, events } = make(clock, {
      join: (_c, opts: AbortOptions) => {
        signals.push(opts.signal);
        return new Promise<boolean>(() => {}); // hangs until aborted
      },
    });
    const joined = b.joined();
    b.start();
    await settle(clock);
    assert.equal(signals.length, 1);
    assert.equal(signals[0]!.aborted, false);
    b.stop();
    assert.equal(signals[0]!.aborted, true);
    assert.ok(signals[0]!.reason instanceof AbortError);
    assert.equal(b.state, 'stopped');
    await assert.rejects(joined, AbortError);
    await assert.rejects(b.joined(), AbortError);
    await clock.advance(60_000);
    assert.equal(signals.length, 1);
    assert.equal(events.length, 0, 'an aborted attempt is not reported');
    b.start();
    b.restart();
    assert.equal(b.state, 'stopped');
  });

  it('restart() runs again after joined, starting from attempt 1', async () => {
    const clock = new VirtualClock();
    let ok = true;
    const { b, events } = make(clock, { join: async () => ok });
    b.start();
    await settle(clock);
    assert.equal(b.state, 'joined');
    b.start(); // already joined: no-op
    await settle(clock);
    assert.equal(events.length, 1);

    ok = false; // every member died: alone again
    b.restart();
    assert.equal(b.state, 'running');
    b.restart(); // already running: no-op
    await settle(clock);
    assert.deepEqual(
      events.map((e) => [e.attempt, e.joined]),
      [
        [1, true],
        [1, false],
      ],
    );
    const rejoined = b.joined();
    ok = true;
    await clock.advance(10_000);
    await rejoined;
    assert.equal(b.state, 'joined');
    assert.deepEqual(events.at(-1)!.attempt, 2);
  });

  it('skips a provider that throws, rejects or hangs and uses the others', async () => {
    const clock = new VirtualClock();
    const { warnings, logger } = recordingLogger();
    const joins: Address[][] = [];
    const { b } = make(clock, {
      logger,
      attemptTimeoutMs: 1_000,
      providers: [
        {
          name: 'throws',
          discover: () => {
            throw new Error('sync boom');
          },
        },
        provider('rejects', async () => {
          throw new Error('async boom');
        }),
        provider('hangs', () => new Promise<Address[]>(() => {})),
        provider('good', [A, B]),
        provider('dup', [B]),
      ],
      join: async (c) => {
        joins.push(c);
        return true;
      },
    });
    b.start();
    await clock.advance(1_000);
    assert.equal(b.state, 'joined');
    assert.deepEqual(joins, [[A, B]]);
    assert.deepEqual(
      warnings.map((w) => w.provider),
      ['throws', 'rejects', 'hangs'],
    );
  });

  it('joins through a static provider with an injected resolver', async () => {
    const clock = new VirtualClock();
    const joins: Address[][] = [];
    const resolve = async (h: string) => (h === 'seed.example' ? ['10.0.0.1', '10.0.0.2'] : []);
    const { b } = make(clock, {
      providers: [
        staticDiscovery(['seed.example:4433', '10.0.0.1:4433', 'gone.example:1'], { resolve, clock }),
      ],
      join: async (c) => {
        joins.push(c);
        return true;
      },
    });
    b.start();
    await settle(clock);
    await b.joined();
    assert.deepEqual(joins, [[A, B]]);
  });

  it('joined() honours its own signal and timeout', async () => {
    const clock = new VirtualClock();
    const { b } = make(clock, {});
    b.start();
    const waiting = b.joined({ timeoutMs: 1_000 });
    await clock.advance(1_000);
    await assert.rejects(waiting, TimeoutError);
    b.stop();
  });

  it('rejects out-of-range options', () => {
    const clock = new VirtualClock();
    assert.throws(() => make(clock, { attemptTimeoutMs: 0 }), InvalidArgumentError);
    assert.throws(() => make(clock, { attemptTimeoutMs: Number.POSITIVE_INFINITY }), InvalidArgumentError);
    assert.throws(() => make(clock, { backoff: { jitter: 1 } }), InvalidArgumentError);
    assert.throws(() => make(clock, { backoff: { initialMs: 0 } }), InvalidArgumentError);
    assert.throws(() => make(clock, { backoff: { initialMs: 20_000 } }), InvalidArgumentError);
    assert.throws(() => make(clock, { backoff: { multiplier: 0.5 } }), InvalidArgumentError);
  });
});
