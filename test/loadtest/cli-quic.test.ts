// `macula loadtest --transport quic`: real node processes, real QUIC on loopback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LoadtestReport } from '../../src/loadtest/index.js';
import { maculaOnce, removeTempDirs, tempDir } from '../cli/helpers.js';

after(removeTempDirs);

test('macula loadtest --transport quic runs pub/sub across three node processes and reports it', async () => {
  const out = tempDir('loadtest-quic');
  const args = [
    'loadtest',
    '--transport',
    'quic',
    '--nodes',
    '3',
    '--duration',
    '2s',
    '--scenario',
    'pubsub',
  ];
  const run = await maculaOnce([...args, '--seed', '11', '--out', out, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as LoadtestReport;
  const saved = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as LoadtestReport;
  assert.deepEqual(saved, printed);
  assert.equal(saved.options.transport, 'quic');
  assert.equal(saved.options.seed, 11);
  assert.deepEqual(
    saved.scenarios.map((s) => s.scenario),
    ['pubsub'],
  );
  const s = saved.scenarios[0]!;
  assert.ok(s.scenario === 'pubsub');
  const st = s.stats;
  assert.equal(st.publishers, 1);
  assert.equal(st.subscribers, 2);
  // 1,000/s for 2 s: at most 2,000 publishes (fewer only if the publisher fell behind).
  assert.ok(st.published > 1000 && st.published <= 2000, `${st.published} published`);
  assert.equal(st.expected, st.published * 2);
  assert.ok(st.delivered > 0 && st.delivered <= st.expected, `${st.delivered} of ${st.expected}`);
  assert.equal(s.latency.count, st.delivered);
  assert.ok(s.latency.p50Us > 0 && s.latency.p50Us <= s.latency.p99Us && s.latency.p99Us <= s.latency.maxUs);
  // Progress went to stderr, not stdout (which held the JSON only).
  assert.match(run.stderr, /\[loadtest\] pubsub .*running/);
  assert.match(
    readFileSync(join(out, 'report.html'), 'utf8'),
    /<section class="scenario" id="scenario-pubsub"/,
  );
});
