/** Human rows for a scenario's numbers: the stats table of the HTML report and the summary line. */
import { fmtBytes, fmtInt, fmtMs, fmtPct, fmtRate, fmtUs } from './format.js';
import type { LoadtestReport, PubSubStats, ScenarioReport } from './report.js';

export type Row = [label: string, value: string];

/** The pub/sub traffic rows (the pub/sub and failure scenarios carry the same figures). */
function traffic(s: PubSubStats): Row[] {
  return [
    ['publishers → subscribers', `${s.publishers} → ${s.subscribers}`],
    ['target rate', s.targetRate > 0 ? fmtRate(s.targetRate) : 'unlimited'],
    ['published', `${fmtInt(s.published)} (${fmtRate(s.publishRate)})`],
    ['publishes refused', fmtInt(s.failed)],
    ['delivered', `${fmtInt(s.delivered)} of ${fmtInt(s.expected)} (${fmtPct(s.delivered, s.expected)})`],
    ['lost', fmtInt(s.lost)],
    ['delivery rate', `${fmtRate(s.deliveryRate)} (${fmtBytes(s.bytesPerSec)}/s payload)`],
  ];
}

/** The summary-line cells of pub/sub traffic (the pub/sub and failure scenarios alike). */
function trafficCells(
  s: Pick<PubSubStats, 'published' | 'delivered' | 'lost' | 'publishRate'>,
): Pick<SummaryLine, 'ops' | 'ok' | 'lost' | 'rate'> {
  return {
    ops: fmtInt(s.published),
    ok: fmtInt(s.delivered),
    lost: fmtInt(s.lost),
    rate: fmtRate(s.publishRate),
  };
}

/** Label/value rows of a scenario's stats. */
export function statRows(r: ScenarioReport): Row[] {
  switch (r.scenario) {
    case 'formation':
      return [
        ['nodes', fmtInt(r.stats.nodes)],
        ['nodes seeing every member alive', fmtInt(r.stats.complete)],
        ['mesh formed after', fmtMs(r.stats.formedMs)],
        ['join events (all observers)', fmtInt(r.stats.joinEvents)],
      ];
    case 'pubsub':
      return traffic(r.stats);
    case 'rpc':
      return [
        ['callers → providers', `${r.stats.callers} → ${r.stats.providers}`],
        ['target rate', r.stats.targetRate > 0 ? fmtRate(r.stats.targetRate) : 'unlimited'],
        ['in flight at most (per caller)', fmtInt(r.stats.concurrency)],
        ['calls', fmtInt(r.stats.calls)],
        ['answered', `${fmtInt(r.stats.answered)} (${fmtPct(r.stats.answered, r.stats.calls)})`],
        ['failed', fmtInt(r.stats.failed)],
        ['calls per second', fmtRate(r.stats.callsPerSec)],
      ];
    case 'failure': {
      const s = r.stats;
      const rows: Row[] = [
        ['fault', `${s.fault}: ${s.target}`],
        ['injected at', fmtMs(s.injectedAtMs)],
        ['healed at', fmtMs(s.healedAtMs)],
        ...traffic(s),
        ['membership events', fmtInt(s.membershipEvents)],
      ];
      if (s.fault === 'kill') {
        rows.push(['first suspect after the kill', fmtMs(s.firstSuspectMs)]);
        rows.push(['first dead after the kill', fmtMs(s.firstDeadMs)]);
        rows.push(['dead at every survivor after', fmtMs(s.allDeadMs)]);
      }
      return rows;
    }
  }
}

/** One line of the summary table. */
export interface SummaryLine {
  scenario: string;
  ops: string;
  ok: string;
  lost: string;
  rate: string;
  p50: string;
  p90: string;
  p99: string;
  p999: string;
  max: string;
  notes: string;
}

export function summaryLine(r: ScenarioReport): SummaryLine {
  const l = r.latency;
  const lat = l.count
    ? {
        p50: fmtUs(l.p50Us),
        p90: fmtUs(l.p90Us),
        p99: fmtUs(l.p99Us),
        p999: fmtUs(l.p999Us),
        max: fmtUs(l.maxUs),
      }
    : { p50: '—', p90: '—', p99: '—', p999: '—', max: '—' };
  const base = { scenario: r.scenario, ...lat };
  switch (r.scenario) {
    case 'formation': {
      const s = r.stats;
      const notes = `${s.complete}/${s.nodes} nodes see all alive after ${fmtMs(s.formedMs)}`;
      return {
        ...base,
        ops: fmtInt(s.nodes),
        ok: fmtInt(s.complete),
        lost: fmtInt(s.nodes - s.complete),
        rate: '—',
        notes,
      };
    }
    case 'pubsub': {
      const s = r.stats;
      const notes = `${fmtRate(s.deliveryRate)} delivered to ${s.subscribers} subscribers${refused(r.errors)}`;
      return { ...base, ...trafficCells(s), notes };
    }
    case 'rpc': {
      const s = r.stats;
      const notes = `${s.providers} providers, ≤ ${s.concurrency} in flight`;
      return {
        ...base,
        ops: fmtInt(s.calls),
        ok: fmtInt(s.answered),
        lost: fmtInt(s.failed),
        rate: fmtRate(s.callsPerSec),
        notes,
      };
    }
    case 'failure': {
      const s = r.stats;
      const at = `${s.fault} ${s.target} at ${fmtMs(s.injectedAtMs)}`;
      let notes =
        s.fault === 'kill'
          ? `${at}: suspect +${fmtMs(s.firstSuspectMs)}, dead +${fmtMs(s.firstDeadMs)}, all +${fmtMs(s.allDeadMs)}`
          : `${at}, healed at ${fmtMs(s.healedAtMs)}; ${s.membershipEvents} membership events`;
      notes += refused(r.errors);
      return { ...base, ...trafficCells(s), notes };
    }
  }
}

/** `; 12 publishes refused (OUTBOX_FULL)` when some were. */
function refused(errors: Record<string, number>): string {
  const n = Object.values(errors).reduce((a, b) => a + b, 0);
  return n ? `; ${fmtInt(n)} publishes refused (${Object.keys(errors).join(', ')})` : '';
}

const HEAD: SummaryLine = {
  scenario: 'SCENARIO',
  ops: 'OPS',
  ok: 'OK',
  lost: 'LOST',
  rate: 'RATE',
  p50: 'P50',
  p90: 'P90',
  p99: 'P99',
  p999: 'P99.9',
  max: 'MAX',
  notes: 'NOTES',
};
const NUMERIC = new Set(['ops', 'ok', 'lost', 'rate', 'p50', 'p90', 'p99', 'p999', 'max']);

/** The summary table printed at the end of `macula loadtest`. */
export function summaryTable(report: LoadtestReport): string {
  const lines = [HEAD, ...report.scenarios.map(summaryLine)];
  const keys = Object.keys(HEAD) as (keyof SummaryLine)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...lines.map((l) => [...l[k]].length))]));
  const cell = (l: SummaryLine, k: keyof SummaryLine, i: number) => {
    if (k === 'notes') return l[k];
    const pad = ' '.repeat(width[k]! - [...l[k]].length);
    return NUMERIC.has(k) && i > 0 ? pad + l[k] : l[k] + pad;
  };
  const o = report.options;
  const head = `${o.transport} transport, ${o.nodes} nodes, ${o.durationMs / 1000} s per scenario, payload ${o.payloadBytes} B, ${o.qos}, seed ${o.seed}`;
  return [
    head,
    '',
    ...lines.map((l, i) =>
      keys
        .map((k) => cell(l, k, i))
        .join('  ')
        .trimEnd(),
    ),
  ].join('\n');
}
