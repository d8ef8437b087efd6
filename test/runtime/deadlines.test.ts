import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineQueue, SeededRandom, VirtualClock } from '../../src/runtime/index.js';

describe('DeadlineQueue', () => {
  it('fires each deadline once, at its time, in time order; cancelled ones never', async () => {
    const clock = new VirtualClock();
    const q = new DeadlineQueue(clock);
    const fired: string[] = [];
    q.add(30, () => fired.push(`c@${clock.now()}`));
    q.add(10, () => fired.push(`a@${clock.now()}`));
    const b = q.add(20, () => fired.push(`b@${clock.now()}`));
    q.add(10, () => fired.push(`a2@${clock.now()}`));
    b.cancel();
    b.cancel(); // twice is harmless
    assert.equal(q.size, 3);
    await clock.advance(9);
    assert.deepEqual(fired, []);
    await clock.advance(1);
    assert.deepEqual(fired.sort(), ['a2@10', 'a@10']);
    await clock.advance(100);
    assert.deepEqual(fired.slice(2), ['c@30']);
    assert.equal(q.size, 0);
  });

  it('an earlier deadline added later re-arms the timer; clear() cancels all', async () => {
    const clock = new VirtualClock();
    const q = new DeadlineQueue(clock);
    const fired: number[] = [];
    q.add(1000, () => fired.push(1000));
    q.add(5, () => fired.push(5));
    await clock.advance(5);
    assert.deepEqual(fired, [5]);
    q.clear();
    await clock.advance(2000);
    assert.deepEqual(fired, [5]);
    q.add(1, () => fired.push(1));
    await clock.advance(1);
    assert.deepEqual(fired, [5, 1], 'usable after clear');
  });

  it('memory follows the pending deadlines: cancelled entries are compacted away', () => {
    const clock = new VirtualClock();
    const q = new DeadlineQueue(clock);
    const live = new Set<ReturnType<DeadlineQueue['add']>>();
    const rnd = new SeededRandom(7);
    for (let i = 0; i < 100_000; i++) {
      live.add(q.add(10_000 + rnd.int(1000), () => {}));
      if (live.size > 64) {
        const first = live.values().next().value!;
        first.cancel();
        live.delete(first);
      }
    }
    assert.equal(q.size, live.size);
    // The heap itself (pending + not yet compacted) stays small.
    assert.ok((q as unknown as { heap: { size: number } }).heap.size < 300);
  });

  it('random adds and cancels fire exactly the uncancelled ones, none early', async () => {
    const clock = new VirtualClock();
    const q = new DeadlineQueue(clock);
    const rnd = new SeededRandom(42);
    const expect = new Map<number, number>();
    const got = new Map<number, number>();
    const handles = [];
    for (let i = 0; i < 2000; i++) {
      const at = rnd.int(500);
      handles.push(q.add(at, () => got.set(i, clock.now())));
      expect.set(i, at);
    }
    for (let i = 0; i < 2000; i += 3) {
      handles[i]!.cancel();
      expect.delete(i);
    }
    await clock.advance(600);
    assert.equal(got.size, expect.size);
    for (const [i, at] of expect) assert.equal(got.get(i), at, `deadline ${i}`);
  });
});
