// The failure scenario's partition and packet loss on the in-memory transport, and stopping a
// run midway. (Every scenario, with a kill, runs through the CLI in report-browser.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FailureStats,
  type ProgressEvent,
  runLoadtest,
  type ScenarioReport,
} from '../../src/loadtest/index.js';

function failureOf(r: { scenarios: ScenarioReport[] }): ScenarioReport & { stats: FailureStats } {
  const s = r.scenarios.find((x) => x.scenario === 'failure');
  assert.ok(s && s.scenario === 'failure');
  return s;
}

/** Numbers every pub/sub window must agree on. */
function assertConsistent(s: ScenarioReport & { stats: FailureStats }): void {
  const st = s.stats;
  assert.ok(st.published > 0, 'nothing published');
  assert.equal(st.expected, st.published * st.subscribers);
  assert.ok(st.delivered <= st.expected, `${st.delivered} delivered of ${st.expected}`);
  assert.equal(st.lost, st.expected - st.delivered);
  assert.equal(s.latency.count, st.delivered);
  assert.ok(s.series.every((x) => x.values.length > 0));
}

test('partition: the two halves suspect each other, then see each other alive once healed', async () => {
  const r = await runLoadtest({
    scenario: 'failure',
    fault: 'partition',
    nodes: 4,
    durationMs: 3000,
    drainMs: 500,
    seed: 3,
  });
  const s = failureOf(r);
  assertConsistent(s);
  assert.equal(s.stats.target, 'node0–node1 | node2–node3');
  assert.ok(s.stats.healedAtMs !== null && s.stats.healedAtMs > s.stats.injectedAtMs);
  assert.deepEqual(
    s.events.filter((e) => e.kind === 'fault' || e.kind === 'heal').map((e) => e.kind),
    ['fault', 'heal'],
  );
  // The cut lasts a second: SWIM suspects members across it, never within a half.
  const side = (name?: string) => (name === 'node0' || name === 'node1' ? 'a' : 'b');
  const suspects = s.events.filter((e) => e.kind === 'suspect');
  assert.ok(suspects.length > 0, 'no member suspected across the cut');
  for (const e of suspects.filter((x) => x.atMs < s.stats.healedAtMs!)) {
    assert.notEqual(side(e.observer), side(e.subject), `${e.observer} suspected ${e.subject}`);
  }
});

test('packet loss at least once: messages arrive despite 20 % loss', async () => {
  const r = await runLoadtest({
    scenario: 'failure',
    fault: 'loss',
    loss: 0.2,
    qos: 'at-least-once',
    nodes: 3,
    durationMs: 1500,
    rate: 500,
    seed: 5,
  });
  const s = failureOf(r);
  assertConsistent(s);
  assert.equal(s.stats.target, '20 % of packets');
  assert.ok(s.events.some((e) => e.kind === 'fault') && s.events.some((e) => e.kind === 'heal'));
  assert.ok(s.stats.delivered > s.stats.expected * 0.9, `${s.stats.delivered} of ${s.stats.expected}`);
});

test('aborting a run stops it with AbortError and stops its nodes', async () => {
  const ctl = new AbortController();
  const seen: ProgressEvent[] = [];
  const run = runLoadtest(
    { scenario: 'pubsub', nodes: 3, durationMs: 60_000 },
    {
      signal: ctl.signal,
      onProgress: (e) => {
        seen.push(e);
        if (e.scenario === 'pubsub' && e.phase === 'running') ctl.abort();
      },
    },
  );
  await assert.rejects(run, (e: unknown) => (e as { code?: string }).code === 'ABORTED');
  assert.ok(seen.some((e) => e.scenario === 'formation' && e.phase === 'done'));
});
