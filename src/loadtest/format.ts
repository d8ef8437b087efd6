/** Number formatting shared by the summary table and the HTML report. */

/** `12,345` */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** An axis value: `12,345`, or `0.5` when not whole. */
export function fmtNum(n: number): string {
  return Number.isInteger(n) ? fmtInt(n) : String(Math.round(n * 1000) / 1000);
}

/** A duration given in µs: `850 µs`, `1.23 ms`, `2.10 s`. */
export function fmtUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : us < 100_000 ? 1 : 0)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** A duration given in ms, or `—` when unknown. */
export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : fmtUs(ms * 1000);
}

/** `1,000/s`, `12.5/s` */
export function fmtRate(perSec: number): string {
  return `${perSec >= 100 ? fmtInt(perSec) : (Math.round(perSec * 10) / 10).toString()}/s`;
}

/** `800 B/s`, `1.2 MB/s` */
export function fmtBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** `99.95 %` */
export function fmtPct(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const p = (part / whole) * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(2)} %`;
}
