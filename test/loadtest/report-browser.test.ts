// `macula loadtest` on the in-memory transport, every scenario: the numbers in report.json
// agree with each other, and report.html, opened in a real browser (Debian's Chromium,
// driven by playwright-core), shows its charts without loading anything from elsewhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { LoadtestReport, ScenarioReport } from '../../src/loadtest/index.js';
import { maculaOnce, nodeOnce, removeTempDirs, tempDir } from '../cli/helpers.js';

const ENSURE = new URL('../../scripts/ensure-chromium.mjs', import.meta.url).pathname;

/** Runs scripts/ensure-chromium.mjs (which may apt-get install chromium); resolves with its path. */
async function ensureChromium(): Promise<string> {
  const r = await nodeOnce([ENSURE]);
  if (r.code !== 0) throw new Error(`ensure-chromium failed:\n${r.stderr.slice(-4000)}`);
  return r.stdout.trim();
}

let dir = '';
let report: LoadtestReport;
let browser: Browser | undefined;

function scenario<N extends ScenarioReport['scenario']>(name: N): Extract<ScenarioReport, { scenario: N }> {
  const s = report.scenarios.find((x) => x.scenario === name);
  assert.ok(s, `no ${name} scenario`);
  return s as Extract<ScenarioReport, { scenario: N }>;
}

before(
  async () => {
    const [executablePath] = await Promise.all([
      ensureChromium(),
      (async () => {
        dir = tempDir('loadtest-report');
        const args = ['loadtest', '--nodes', '4', '--duration', '1s', '--fault', 'kill', '--seed', '7'];
        const run = await maculaOnce([...args, '--drain', '1s', '--out', dir, '--quiet']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^SCENARIO +OPS +OK +LOST +RATE +P50 +P90 +P99 +P99\.9 +MAX +NOTES$/m);
        report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as LoadtestReport;
      })(),
    ]);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  },
  // The first run on a fresh machine may install Chromium.
  { timeout: 360_000 },
);

after(async () => {
  await browser?.close();
  removeTempDirs();
});

describe('report.json of every scenario on the memory transport', () => {
  test('formation: every node sees every member alive; one join per observer and member', () => {
    const f = scenario('formation');
    assert.equal(f.stats.nodes, 4);
    assert.equal(f.stats.complete, 4);
    assert.ok(f.stats.formedMs > 0);
    assert.ok(f.stats.joinEvents >= 12, `${f.stats.joinEvents} join events`);
    assert.equal(f.latency.count, 4);
    assert.equal(f.series.find((s) => s.name === 'formed')!.values.at(-1), 4);
  });

  test('pub/sub and RPC: delivered within what was sent, latencies ordered', () => {
    const p = scenario('pubsub');
    assert.ok(p.stats.published > 0 && p.stats.published <= 1000);
    assert.equal(p.stats.expected, p.stats.published * 3);
    assert.ok(p.stats.delivered > 0 && p.stats.delivered <= p.stats.expected);
    assert.equal(p.stats.lost, p.stats.expected - p.stats.delivered);
    const r = scenario('rpc');
    assert.ok(r.stats.answered > 0);
    assert.equal(r.stats.answered + r.stats.failed, r.stats.calls);
    for (const s of [p, r]) {
      const l = s.latency;
      assert.ok(l.minUs <= l.p50Us && l.p50Us <= l.p90Us && l.p90Us <= l.p99Us && l.p99Us <= l.p999Us);
      assert.ok(l.p999Us <= l.maxUs);
      assert.equal(
        l.bins.reduce((n, b) => n + b.count, 0),
        l.count,
      );
    }
  });

  test('failure: the kill is on the timeline and every survivor declared the victim dead', () => {
    const f = scenario('failure');
    assert.equal(f.stats.fault, 'kill');
    assert.match(f.stats.target, /^node[123]$/);
    const fault = f.events.filter((e) => e.kind === 'fault');
    assert.equal(fault.length, 1);
    assert.equal(fault[0]!.subject, f.stats.target);
    const dead = f.events.filter((e) => e.kind === 'dead' && e.subject === f.stats.target);
    assert.deepEqual(new Set(dead.map((e) => e.observer)).size, 3);
    assert.ok(f.stats.firstDeadMs !== null && f.stats.allDeadMs !== null);
    assert.ok(f.stats.firstDeadMs <= f.stats.allDeadMs);
    assert.equal(f.stats.subscribers, 2);
    assert.ok(f.stats.delivered <= f.stats.expected);
  });
});

interface Drawn {
  scenario: string;
  bars: number;
  percentileBars: number;
  percentileRows: number;
  series: [string, number][];
  sizes: [number, number][];
}

/** What each scenario section of the page draws. */
const DRAWN = `[...document.querySelectorAll('section.scenario')].map((sec) => {
  const q = (sel) => sec.querySelectorAll(sel).length;
  const size = (sel) => {
    const r = sec.querySelector(sel)?.getBoundingClientRect();
    return r ? [Math.round(r.width), Math.round(r.height)] : [0, 0];
  };
  return {
    scenario: sec.getAttribute('data-scenario'),
    bars: q('.latency-histogram rect.bar'),
    percentileBars: q('.percentiles rect.bar'),
    percentileRows: q('.percentiles table.percentile-table tr'),
    series: [...sec.querySelectorAll('.throughput polyline.series')].map((e) => [
      e.getAttribute('data-series'),
      (e.getAttribute('points') || '').trim().split(/\\s+/).length,
    ]),
    sizes: ['.latency-histogram svg', '.percentiles svg', '.throughput svg'].map(size),
  };
})`;

describe('report.html in Chromium', () => {
  let page: Page;
  const elsewhere: string[] = [];
  const problems: string[] = [];

  before(async () => {
    page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    // Anything but the file itself is refused and remembered: the report must need nothing else.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  });

  const count = (selector: string) => page.locator(selector).count();

  test('it loads nothing but itself and logs no error', () => {
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(problems, []);
  });

  test('each scenario has its histogram, percentile and throughput charts, drawn from its numbers', async () => {
    // Read every section in one round trip. A string: tsx would wrap the helpers of a
    // function in a __name() call the page does not have.
    const drawn = (await page.evaluate(DRAWN)) as Drawn[];
    assert.deepEqual(
      drawn.map((d) => d.scenario),
      ['formation', 'pubsub', 'rpc', 'failure'],
    );
    for (const [i, s] of report.scenarios.entries()) {
      const d = drawn[i]!;
      assert.ok(s.latency.bins.length > 0, `${s.scenario}: no bins`);
      assert.equal(d.bars, s.latency.bins.length, `${s.scenario} histogram bars`);
      assert.equal(d.percentileBars, 5, `${s.scenario} percentile bars`);
      assert.equal(d.percentileRows, 8, `${s.scenario} percentile rows`);
      assert.deepEqual(
        d.series,
        s.series.map((x) => [x.name, x.values.length]),
        `${s.scenario} throughput lines`,
      );
      for (const [w, h] of d.sizes)
        assert.ok(w! > 300 && h! > 100, `${s.scenario}: a chart is not drawn (${w}×${h})`);
    }
  });

  test('membership events and the fault are on the timeline', async () => {
    const f = scenario('formation');
    assert.equal(await count('#scenario-formation .timeline rect.event-join'), f.stats.joinEvents);
    const fail = scenario('failure');
    const at = '#scenario-failure';
    assert.equal(await count(`${at} .timeline rect.event`), fail.events.length);
    assert.equal(await count(`${at} .timeline rect.event-fault`), 1);
    const dead = fail.events.filter((e) => e.kind === 'dead').length;
    assert.ok(dead >= 3);
    assert.equal(await count(`${at} .timeline rect.event-dead`), dead);
    const title = await page.locator(`${at} .timeline rect.event-fault title`).textContent();
    assert.match(title ?? '', new RegExp(`fault \\(kill\\) ${fail.stats.target}`));
    // The kill is also marked across the throughput chart.
    assert.equal(await count(`${at} .throughput line.marker.fault`), 1);
  });

  test('it renders to a non-empty screenshot', async () => {
    const file = join(dir, 'failure.png');
    await page.locator('#scenario-failure .charts').screenshot({ path: file });
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(png.length > 20_000, `${png.length} bytes`);
  });
});
