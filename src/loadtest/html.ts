/**
 * The self-contained HTML report: inline CSS and inline SVG, no script and no external
 * resource (a Content-Security-Policy forbids them), so it opens anywhere, offline.
 */
import { type Row, statRows, summaryLine } from './describe.js';
import { fmtInt, fmtMs, fmtNum, fmtRate, fmtUs } from './format.js';
import { STYLE } from './html-style.js';
import type { LoadtestReport, ScenarioReport, TimelineEvent } from './report.js';
import { barChart, escapeHtml as e, laneChart, lineChart, type Tick } from './svg.js';

/** Event marks drawn per timeline (the table below lists the first ones in any case). */
export const MAX_TICKS = 1500;
const MAX_ROWS = 300;
const LANES = ['fault', 'heal', 'join', 'alive', 'suspect', 'dead', 'leave', 'update'] as const;

function table(cls: string, head: readonly string[] | null, rows: readonly (readonly string[])[]): string {
  const th = head ? `<thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : '';
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('');
  return `<table class="${cls}">${th}<tbody>${tr}</tbody></table>`;
}

function figure(cls: string, caption: string, svg: string, extra = ''): string {
  return `<figure class="chart ${cls}">${svg}<figcaption>${e(caption)}</figcaption>${extra}</figure>`;
}

function histogram(r: ScenarioReport): string {
  const bars = r.latency.bins.map((b) => ({
    label: fmtUs(b.fromUs),
    value: b.count,
    title: `${fmtUs(b.fromUs)} – ${fmtUs(b.toUs)}: ${fmtInt(b.count)}`,
  }));
  const svg = barChart({
    cls: 'histogram-svg',
    label: `histogram of ${r.latencyLabel}`,
    bars,
    yTitle: 'count',
    xTitle: `${r.latencyLabel} (log scale, quarter octaves)`,
    yFormat: fmtNum,
  });
  const caption = `Histogram: ${r.latencyLabel}, ${fmtInt(r.latency.count)} samples`;
  return figure('latency-histogram', caption, svg);
}

function percentiles(r: ScenarioReport): string {
  const l = r.latency;
  const points: Row[] = [
    ['p50', fmtUs(l.p50Us)],
    ['p90', fmtUs(l.p90Us)],
    ['p99', fmtUs(l.p99Us)],
    ['p99.9', fmtUs(l.p999Us)],
    ['max', fmtUs(l.maxUs)],
  ];
  const values = [l.p50Us, l.p90Us, l.p99Us, l.p999Us, l.maxUs];
  const bars = points.map(([label, v], i) => ({ label, value: values[i]! / 1000, title: `${label}: ${v}` }));
  const svg = barChart({
    cls: 'percentiles-svg',
    label: `percentiles of ${r.latencyLabel}`,
    bars,
    yTitle: 'ms',
    xTitle: 'percentile',
    yFormat: (v) => String(v),
  });
  const rows: Row[] = [
    ['samples', fmtInt(l.count)],
    ['min', fmtUs(l.minUs)],
    ['mean', fmtUs(l.meanUs)],
    ...points,
  ];
  return figure('percentiles', `Percentiles: ${r.latencyLabel}`, svg, table('percentile-table', null, rows));
}

function throughput(r: ScenarioReport): string {
  const totals = r.series.every((s) => s.cumulative);
  // Rates at each bucket's middle; running totals at its end.
  const at = (i: number) => ((totals ? i + 1 : i + 0.5) * r.bucketMs) / 1000;
  const scale = totals ? 1 : 1000 / r.bucketMs;
  const lines = r.series.map((s) => ({
    name: s.name,
    label: s.label,
    points: s.values.map((v, i) => [at(i), v * scale] as const),
  }));
  const markers = r.events
    .filter((ev) => ev.kind === 'fault' || ev.kind === 'heal')
    .map((ev) => ({ x: ev.atMs / 1000, cls: ev.kind, title: eventTitle(ev) }));
  const xMax = Math.max(r.durationMs, (r.series[0]?.values.length ?? 0) * r.bucketMs) / 1000;
  const yTitle = totals ? 'count (running total)' : 'per second';
  const svg = lineChart({
    cls: 'throughput-svg',
    label: 'throughput over time',
    lines,
    xMax,
    yTitle,
    yFormat: fmtNum,
    markers,
  });
  const legend = r.series.map((s, i) => `<span class="key s${i}">${e(s.label)}</span>`).join(' ');
  const caption = totals
    ? `Over time, running totals (every ${r.bucketMs} ms)`
    : `Throughput over time, per second (buckets of ${r.bucketMs} ms)`;
  return figure('throughput', caption, svg, `<p class="legend">${legend}</p>`);
}

function eventTitle(ev: TimelineEvent): string {
  const who = ev.observer ? `${ev.observer} sees ${ev.subject ?? '?'}` : (ev.subject ?? '');
  return `${fmtMs(ev.atMs)}: ${ev.kind}${ev.detail ? ` (${ev.detail})` : ''} ${who}`.trim();
}

function timeline(r: ScenarioReport): string {
  const lanes = LANES.filter((k) => r.events.some((ev) => ev.kind === k));
  const ticks: Tick[] = r.events.slice(0, MAX_TICKS).map((ev) => ({
    x: ev.atMs / 1000,
    lane: lanes.indexOf(ev.kind),
    cls: `event-${ev.kind}`,
    title: eventTitle(ev),
  }));
  const xMax = Math.max(r.durationMs, ...r.events.map((ev) => ev.atMs)) / 1000;
  const svg = lanes.length
    ? laneChart({ cls: 'timeline-svg', label: 'membership events and faults', lanes, ticks, xMax })
    : '<p class="empty">No membership change and no fault during this scenario.</p>';
  const hidden = r.events.length - ticks.length + r.eventsDropped;
  const note = hidden > 0 ? `; ${fmtInt(hidden)} more not drawn` : '';
  const rows = r.events
    .slice(0, MAX_ROWS)
    .map((ev) => [fmtMs(ev.atMs), ev.kind, ev.observer ?? '', ev.subject ?? '', ev.detail ?? '']);
  const list = `<details><summary>${fmtInt(r.events.length)} events${r.events.length > MAX_ROWS ? ` (first ${MAX_ROWS} listed)` : ''}</summary>${table('events', ['at', 'event', 'seen by', 'about', 'detail'], rows)}</details>`;
  return figure(
    'timeline',
    `Membership events and faults on the timeline (${fmtInt(r.events.length)} events${note})`,
    svg,
    list,
  );
}

function section(r: ScenarioReport): string {
  const errors = Object.entries(r.errors);
  const errTable = errors.length
    ? table(
        'errors',
        ['error', 'count'],
        errors.map(([k, n]) => [k, fmtInt(n)]),
      )
    : '';
  return `<section class="scenario" id="scenario-${e(r.scenario)}" data-scenario="${e(r.scenario)}">
<h2>${e(r.title)}</h2>
<p class="meta">started ${fmtMs(r.offsetMs)} into the run, measured for ${fmtMs(r.durationMs)}</p>
${table('stats', null, statRows(r))}${errTable}
<div class="charts">${histogram(r)}${percentiles(r)}${throughput(r)}${timeline(r)}</div>
</section>`;
}

/** The whole report as one HTML document. */
export function renderHtml(report: LoadtestReport): string {
  const o = report.options;
  const env = report.environment;
  const head = ['scenario', 'ops', 'ok', 'lost', 'rate', 'p50', 'p90', 'p99', 'p99.9', 'max', 'notes'];
  const summary = report.scenarios.map((s) => {
    const l = summaryLine(s);
    return [l.scenario, l.ops, l.ok, l.lost, l.rate, l.p50, l.p90, l.p99, l.p999, l.max, l.notes];
  });
  const opts: Row[] = [
    ['transport', o.transport],
    ['nodes', String(o.nodes)],
    ['duration per scenario', fmtMs(o.durationMs)],
    ['rate', o.rate > 0 ? fmtRate(o.rate) : 'unlimited'],
    ['payload', `${o.payloadBytes} B`],
    ['qos', o.qos],
    ['senders', String(o.senders)],
    ['concurrency', String(o.concurrency)],
    ['fault', o.fault === 'loss' ? `loss ${o.loss}` : o.fault],
    ['seed', String(o.seed)],
  ];
  const machine = `${env.cpus} × ${env.cpuModel}, Node ${env.node} on ${env.platform}/${env.arch}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Macula load test — ${e(report.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Macula load test</h1>
<p class="meta">${e(report.startedAt)} · ${fmtMs(report.durationMs)} in all · ${e(machine)}</p>
${table('options', null, opts)}
<h2>Summary</h2>
${table('summary', head, summary)}
${report.scenarios.map(section).join('\n')}
</body>
</html>
`;
}
