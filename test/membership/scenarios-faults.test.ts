// SWIM + Lifeguard on 100 simulated nodes under sustained faults: packet loss and a slow member.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formed } from '../sim/helpers.js';

describe('membership under faults (100 nodes)', () => {
  it('declares no healthy node dead through 30 simulated minutes of 5 % loss', async (t) => {
    const c = await formed(21);
    c.setLink({ loss: 0.05 });
    await c.runFor(30 * 60_000);
    t.diagnostic(
      `false suspicions ${c.recorder.falseSuspicions}, dropped ${c.net.stats.dropped} of ${c.net.stats.datagrams} datagrams`,
    );
    assert.equal(c.recorder.falsePositives, 0);
    assert.ok(c.recorder.falseSuspicions > 0, 'the loss should cause (refuted) suspicions');
    c.setLink({ loss: 0 });
    await c.runUntil(() => c.converged(), { maxMs: 30_000 });
  });

  it('declares no healthy node dead while one member answers up to 1.5 s late', async (t) => {
    const c = await formed(22);
    c.slow(7, 1500);
    await c.runFor(5 * 60_000);
    // Verdicts about the slow member itself are counted apart (it is not healthy).
    t.diagnostic(`verdicts about the slow node: ${c.recorder.degradedVerdicts}`);
    assert.equal(c.recorder.falsePositives, 0);
    c.slow(7, 0);
    await c.runUntil(() => c.converged(), { maxMs: 120_000 });
  });
});
