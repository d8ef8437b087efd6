// A small hand-made load-test report, for the HTML and summary tests.
import {
  Histogram,
  type LoadtestReport,
  resolveOptions,
  type ScenarioReport,
} from '../../src/loadtest/index.js';
import { summarize } from '../../src/loadtest/report.js';

function latency(values: number[]) {
  const h = new Histogram();
  for (const v of values) h.record(v);
  return summarize(h);
}

/** A report with one pub/sub and one failure scenario; `name` is put wherever a node name goes. */
export function sampleReport(name = 'node1'): LoadtestReport {
  const base = {
    offsetMs: 100,
    durationMs: 2000,
    bucketMs: 250,
    latencyLabel: 'one-way message latency',
    eventsDropped: 0,
  };
  const traffic = {
    publishers: 1,
    subscribers: 2,
    targetRate: 1000,
    published: 2000,
    failed: 0,
    delivered: 3990,
    expected: 4000,
    lost: 10,
    publishRate: 1000,
    deliveryRate: 1995,
    bytesPerSec: 199_500,
  };
  const series = [
    { name: 'published', label: 'published', values: [250, 250, 250, 250, 250, 250, 250, 250] },
    { name: 'delivered', label: `delivered to ${name}`, values: [500, 500, 500, 490, 500, 500, 500, 500] },
  ];
  const pubsub: ScenarioReport = {
    scenario: 'pubsub',
    title: 'Pub/sub',
    ...base,
    series,
    latency: latency([900, 1000, 1100, 1200, 5000, 25_000]),
    events: [],
    errors: {},
    stats: traffic,
  };
  const failure: ScenarioReport = {
    scenario: 'failure',
    title: 'Failure',
    ...base,
    series,
    latency: latency([800, 1500, 3000]),
    events: [
      { atMs: 666, kind: 'fault', subject: name, detail: 'kill' },
      { atMs: 900, kind: 'suspect', observer: 'node0', subject: name },
      { atMs: 1500, kind: 'dead', observer: 'node0', subject: name },
    ],
    errors: { OUTBOX_FULL: 3 },
    stats: {
      ...traffic,
      fault: 'kill',
      target: name,
      injectedAtMs: 666,
      healedAtMs: null,
      firstSuspectMs: 234,
      firstDeadMs: 834,
      allDeadMs: 834,
      membershipEvents: 2,
    },
  };
  return {
    tool: 'macula loadtest',
    schema: 1,
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 5000,
    options: resolveOptions({ seed: 1, nodes: 3 }),
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test cpu' },
    scenarios: [pubsub, failure],
  };
}
