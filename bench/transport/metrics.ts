/** The transport metrics: names (fixed by the issue), units, direction, and the results table. */
import { formatCell } from '../lib/table.js';
import { IMPLEMENTATIONS, type ImplName } from './adapter.js';

export const METRIC_KEYS = [
  'connect_ms_p50',
  'rtt_us_p50',
  'rtt_us_p99',
  'throughput_1k_mbps',
  'msgs_100b_per_s',
  'streams_1000_completed',
  'streams_1000_ms',
  'rss_kb_per_conn',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];
export type Metrics = Record<MetricKey, number | null>;
export type Results = Record<ImplName, Metrics>;

interface MetricInfo {
  unit: string;
  better: 'lower' | 'higher';
  digits: number;
}

export const METRIC_INFO: Record<MetricKey, MetricInfo> = {
  connect_ms_p50: { unit: 'ms', better: 'lower', digits: 2 },
  rtt_us_p50: { unit: 'µs', better: 'lower', digits: 0 },
  rtt_us_p99: { unit: 'µs', better: 'lower', digits: 0 },
  throughput_1k_mbps: { unit: 'MB/s', better: 'higher', digits: 2 },
  msgs_100b_per_s: { unit: 'msg/s', better: 'higher', digits: 0 },
  streams_1000_completed: { unit: 'streams', better: 'higher', digits: 0 },
  streams_1000_ms: { unit: 'ms', better: 'lower', digits: 0 },
  rss_kb_per_conn: { unit: 'KiB', better: 'lower', digits: 1 },
};

export function emptyMetrics(): Metrics {
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, null])) as Metrics;
}

export function emptyResults(): Results {
  return Object.fromEntries(IMPLEMENTATIONS.map((i) => [i, emptyMetrics()])) as Results;
}

/** macula relative to `other`, oriented so > 1 means macula is better; null when not comparable. */
export function ratio(key: MetricKey, macula: number | null, other: number | null): number | null {
  if (macula === null || other === null || macula <= 0 || other <= 0) return null;
  return METRIC_INFO[key].better === 'higher' ? macula / other : other / macula;
}

/** Header and rows for the results table (used for the terminal and for Markdown). */
export function resultsTable(results: Results): { header: string[]; rows: string[][] } {
  const header = ['metric', 'unit', ...IMPLEMENTATIONS, 'macula÷matrixai', 'macula÷libp2p_quic'];
  const rows = METRIC_KEYS.map((key) => {
    const info = METRIC_INFO[key];
    const m = results.macula[key];
    const fmtRatio = (r: number | null): string => (r === null ? 'n/a' : `${formatCell(r, 2)}×`);
    return [
      key,
      info.unit,
      ...IMPLEMENTATIONS.map((impl) => formatCell(results[impl][key], info.digits)),
      fmtRatio(ratio(key, m, results.matrixai[key])),
      fmtRatio(ratio(key, m, results.libp2p_quic[key])),
    ];
  });
  return { header, rows };
}

export const TABLE_FOOTNOTE =
  'Ratios are oriented so > 1 means macula is better: macula÷other for higher-is-better metrics, ' +
  'other÷macula for lower-is-better ones. MB/s = 1e6 bytes/s; KiB = 1024 bytes.';
