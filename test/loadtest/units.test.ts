import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  escapeHtml,
  Histogram,
  LoadtestError,
  parseDuration,
  renderHtml,
  resolveOptions,
  summaryTable,
} from '../../src/loadtest/index.js';
import { pace } from '../../src/loadtest/pace.js';
import { bucketFor, sumSeries, TimeSeries, trimSeries } from '../../src/loadtest/series.js';
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import { sampleReport } from './fixtures.js';

/** Nearest-rank quantile of sorted values. */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('latency histogram', () => {
  test('percentiles are within 1/32 of the exact ones, min and max exact', () => {
    const rnd = new SeededRandom(42);
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Log-uniform from 1 µs to about 1 s, like real latencies.
      const v = Math.round(Math.exp(rnd.next() * Math.log(1e6)));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const want = exact(values, q);
      const got = h.quantile(q);
      assert.ok(Math.abs(got - want) <= Math.max(1, want / 32), `q${q}: ${got} vs ${want}`);
    }
    assert.equal(h.min, values[0]);
    assert.equal(h.max, values.at(-1));
    assert.equal(h.count, values.length);
  });

  test('values below 32 µs are exact; negatives count as 0; huge values land in the last bucket', () => {
    const h = new Histogram();
    for (const v of [-5, 0, 1, 7, 31]) h.record(v);
    assert.deepEqual(
      [0.2, 0.4, 0.6, 0.8, 1].map((q) => h.quantile(q)),
      [0, 0, 1, 7, 31],
    );
    h.record(2 ** 40);
    assert.equal(h.max, 2 ** 40);
    assert.equal(h.quantile(1), 2 ** 40);
  });

  test('merging equals recording everything in one; the JSON form round-trips', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i < 5000; i += 7) {
      (i % 2 ? a : b).record(i * 13);
      all.record(i * 13);
    }
    const merged = Histogram.from(a.toJSON());
    merged.merge(b);
    assert.deepEqual(merged.toJSON(), all.toJSON());
    assert.deepEqual(Histogram.from(JSON.parse(JSON.stringify(all))).toJSON(), all.toJSON());
  });

  test('chart bins are contiguous, cover every sample and stay few', () => {
    const h = new Histogram();
    for (let v = 3; v < 5_000_000; v = Math.ceil(v * 1.07)) h.record(v);
    const bins = h.bins();
    assert.equal(
      bins.reduce((s, b) => s + b.count, 0),
      h.count,
    );
    for (let i = 1; i < bins.length; i++) assert.equal(bins[i]!.fromUs, bins[i - 1]!.toUs);
    assert.ok(bins[0]!.fromUs <= h.min && bins.at(-1)!.toUs > h.max);
    assert.ok(bins.length <= 140, `${bins.length} bins`);
    assert.deepEqual(new Histogram().bins(), []);
  });
});

describe('throughput series', () => {
  test('counts per bucket, late ones apart; sums and trims', () => {
    const s = new TimeSeries(1000, 250, 4);
    for (const t of [900, 1000, 1249, 1250, 1999, 2000, 5000]) s.add(t);
    assert.deepEqual(s.values, [3, 1, 0, 1]);
    assert.equal(s.late, 2);
    assert.deepEqual(sumSeries([[1, 2], [3], [0, 0, 5]]), [4, 2, 5]);
    assert.deepEqual(trimSeries([1, 2, 3, 4], 250, 620), [1, 2]);
    assert.deepEqual(trimSeries([1, 2, 3, 4], 250, 10), [1]);
    assert.equal(bucketFor(10_000), 250);
    assert.equal(bucketFor(600_000), 2500);
  });
});

describe('pacing', () => {
  test('a rate starts exactly rate × duration operations', async () => {
    const clock = new VirtualClock();
    let ran = 0;
    const r = await clock.settle(
      pace({ rate: 100, concurrency: 4, durationMs: 1000 }, async () => void ran++, clock),
    );
    assert.equal(r.started, 100);
    assert.equal(ran, 100);
  });

  test('concurrency bounds operations in flight (the achieved rate drops below the target)', async () => {
    const clock = new VirtualClock();
    let inFlight = 0;
    let most = 0;
    const op = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
      inFlight--;
    };
    // Virtual time moves in microtasks only: yield on it rather than on setImmediate.
    const yieldNow = () => new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
    const spec = { rate: 1000, concurrency: 3, durationMs: 1000 };
    const r = await clock.settle(pace(spec, op, clock, undefined, yieldNow), 1);
    assert.equal(most, 3);
    assert.ok(r.started <= 303 && r.started >= 290, `${r.started} started`);
  });

  test('an aborted signal stops it', async () => {
    const clock = new VirtualClock();
    const ctl = new AbortController();
    let ran = 0;
    const p = pace(
      { rate: 10, concurrency: 1, durationMs: 10_000 },
      async () => void ran++,
      clock,
      ctl.signal,
    );
    await clock.advance(250);
    ctl.abort();
    const r = await clock.settle(p);
    // Due at 0, 100 and 200 ms; the one due at 300 ms was waiting when the signal fired.
    assert.equal(r.started, 3);
    assert.equal(ran, 3);
  });
});

describe('options', () => {
  test('defaults, and scenarios from all', () => {
    const o = resolveOptions({ seed: 9 });
    assert.equal(o.transport, 'memory');
    assert.equal(o.nodes, 5);
    assert.equal(o.durationMs, 10_000);
    assert.equal(o.rate, 1000);
    assert.equal(o.payloadBytes, 100);
    assert.equal(o.qos, 'at-most-once');
    assert.equal(o.seed, 9);
    assert.deepEqual(o.scenarios, ['formation', 'pubsub', 'rpc', 'failure']);
    assert.ok(Number.isInteger(resolveOptions().seed));
  });

  test('bad options fail with INVALID_OPTIONS naming the field', () => {
    const bad = (input: Parameters<typeof resolveOptions>[0], re: RegExp) =>
      assert.throws(
        () => resolveOptions(input),
        (e: unknown) => e instanceof LoadtestError && e.code === 'INVALID_OPTIONS' && re.test(e.message),
      );
    bad({ nodes: 1 }, /nodes/);
    bad({ payloadBytes: 8 }, /payloadBytes/);
    bad({ loss: 2 }, /loss/);
    bad({ senders: 5, nodes: 5 }, /senders/);
    bad({ transport: 'quic', nodes: 500 }, /at most 64/);
    bad({ scenario: 'failure', nodes: 2 }, /failure scenario needs at least 3/);
    bad({ bogus: 1 } as never, /bogus|unrecognized/i);
  });

  test('durations: ms, s, m; a bare number is seconds', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('3'), 3000);
    assert.throws(() => parseDuration('soon'), /bad duration/);
  });
});

describe('report rendering', () => {
  test('escapeHtml escapes markup and quotes', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
    );
  });

  test('text from the run never becomes markup, and nothing is loaded from elsewhere', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = renderHtml(sampleReport(evil));
    assert.ok(!html.includes('<script'), 'a script tag got through');
    assert.ok(!html.includes('<img'), 'an img tag got through');
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.ok(!/https?:\/\//.test(html), 'the report refers to a URL');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  test('one chart of each kind per scenario', () => {
    const html = renderHtml(sampleReport());
    for (const cls of ['latency-histogram', 'percentiles', 'throughput', 'timeline']) {
      assert.equal(html.split(`class="chart ${cls}"`).length - 1, 2, cls);
    }
    assert.equal(html.split('class="event event-fault"').length - 1, 1);
    assert.equal(html.split('class="marker fault"').length - 1, 1);
  });

  test('the summary table has a line per scenario with its numbers', () => {
    const lines = summaryTable(sampleReport()).split('\n');
    assert.match(
      lines[0]!,
      /memory transport, 3 nodes, 10 s per scenario, payload 100 B, at-most-once, seed 1/,
    );
    assert.match(lines[2]!, /^SCENARIO\s+OPS\s+OK\s+LOST\s+RATE\s+P50\s+P90\s+P99\s+P99\.9\s+MAX\s+NOTES$/);
    assert.match(lines[3]!, /^pubsub\s+2,000\s+3,990\s+10\s+1,000\/s\s+1\.\d\d ms/);
    assert.match(
      lines[4]!,
      /^failure .* kill node1 at 666 ms: suspect \+234 ms, dead \+834 ms, all \+834 ms; 3 publishes refused \(OUTBOX_FULL\)$/,
    );
  });
});
