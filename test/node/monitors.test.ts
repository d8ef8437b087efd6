import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Monitors } from '../../src/node/monitors.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('Monitors', () => {
  it('settles every watcher of a node once, drops aborted ones, and rejects the rest on close', async () => {
    const alive = new Map<string, boolean>([
      [A, true],
      [B, true],
    ]);
    const m = new Monitors((id) => alive.get(id));
    const w1 = m.watch(A);
    const w2 = m.watch(A);
    const ctl = new AbortController();
    const w3 = m.watch(A, { signal: ctl.signal });
    ctl.abort();
    await assert.rejects(w3, { code: 'ABORTED' });
    assert.equal(m.size, 2);
    m.down(A, 'left');
    assert.deepEqual(await w1, { nodeId: A, reason: 'left' });
    assert.deepEqual(await w2, { nodeId: A, reason: 'left' });
    assert.equal(m.size, 0);
    alive.set(A, false);
    assert.equal((await m.watch(A)).reason, 'dead');
    assert.equal((await m.watch('c'.repeat(64))).reason, 'unknown');
    assert.throws(() => m.watch('nope'), { code: 'INVALID_ID' });
    const w4 = m.watch(B);
    m.close(new Error('stopping'));
    await assert.rejects(w4, /stopping/);
    assert.equal(m.size, 0);
  });
});
