// The in-memory transport's idle timer on a virtual clock: it fires at lastRecv + idleMs
// even when that sum and the difference now - lastRecv round differently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../src/runtime/index.js';
import { Liveness } from '../../src/transport/memory/liveness.js';

describe('memory transport liveness', () => {
  it('fires the idle timeout at a start time that rounds badly (no 0 ms re-arm loop)', async () => {
    const clock = new VirtualClock();
    await clock.advance(15138.394186397201);
    let idle = 0;
    const l = new Liveness(clock, 10_000, 0, { idleTimeout: () => idle++ }, { sendUnreliable() {} });
    // Before the fix, virtual time stopped here: the timer re-armed at 0 ms forever.
    await clock.advance(20_000);
    assert.equal(idle, 1);
    l.stop();
  });
});
