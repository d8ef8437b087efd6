/**
 * Inline SVG charts for the HTML report (no script, no external resource): bars, lines
 * and event lanes on a shared frame with axes and grid lines. Every text is escaped.
 */

const W = 760;
const H = 260;
const M = { left: 70, right: 16, top: 14, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const num = (v: number) => (Math.round(v * 10) / 10).toString();

/** 0, step, 2·step… up to at least `max`, step 1, 2 or 5 × 10^k, about `count` ticks. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function open(cls: string, label: string): string {
  return `<svg class="chart-svg ${cls}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}">`;
}

function text(x: number, y: number, s: string, cls = '', anchor = 'middle'): string {
  return `<text x="${num(x)}" y="${num(y)}" text-anchor="${anchor}" class="${cls}">${escapeHtml(s)}</text>`;
}

/** Y grid and labels for 0..ticks.at(-1); returns the markup and the value → y mapping. */
function yAxis(max: number, fmt: (v: number) => string, title: string) {
  const ticks = niceTicks(max);
  const top = ticks.at(-1)!;
  const y = (v: number) => M.top + PH - (v / top) * PH;
  let s = '';
  for (const t of ticks) {
    s += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${num(y(t))}" y2="${num(y(t))}"/>`;
    s += text(M.left - 6, y(t) + 4, fmt(t), 'tick', 'end');
  }
  s += `<text class="axis-title" transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(title)}</text>`;
  return { svg: s, y };
}

/** X axis over 0..xMax (seconds); returns the markup and the value → x mapping. */
function xAxis(xMax: number, title: string) {
  const ticks = niceTicks(xMax, 8);
  const right = Math.max(xMax, 1e-9);
  const x = (v: number) => M.left + (v / right) * PW;
  let s = `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  for (const t of ticks.filter((t) => t <= xMax)) s += text(x(t), M.top + PH + 16, String(t), 'tick');
  s += text(M.left + PW / 2, H - 6, title, 'axis-title');
  return { svg: s, x };
}

export interface Bar {
  label: string;
  value: number;
  /** Tooltip. */
  title: string;
}

/** One `rect.bar` per bar, evenly spaced; every `labelEvery`-th bar is labelled. */
export function barChart(o: {
  cls: string;
  label: string;
  bars: readonly Bar[];
  yTitle: string;
  xTitle: string;
  yFormat: (v: number) => string;
}): string {
  const n = Math.max(1, o.bars.length);
  const { svg: ys, y } = yAxis(Math.max(0, ...o.bars.map((b) => b.value)), o.yFormat, o.yTitle);
  const slot = PW / n;
  const every = Math.max(1, Math.ceil(n / 12));
  let s = open(o.cls, o.label) + ys;
  o.bars.forEach((b, i) => {
    const x = M.left + i * slot + slot * 0.1;
    const top = y(b.value);
    s += `<rect class="bar" x="${num(x)}" y="${num(top)}" width="${num(slot * 0.8)}" height="${num(M.top + PH - top)}"><title>${escapeHtml(b.title)}</title></rect>`;
    if (i % every === 0) s += text(x + slot * 0.4, M.top + PH + 16, b.label, 'tick');
  });
  s += `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  return `${s + text(M.left + PW / 2, H - 6, o.xTitle, 'axis-title')}</svg>`;
}

export interface Line {
  name: string;
  label: string;
  /** [x (s), y] */
  points: readonly (readonly [number, number])[];
}

/** A vertical line across the plot at `x` (s), e.g. a fault. */
export interface Marker {
  x: number;
  cls: string;
  title: string;
}

/** One `polyline.series` per line (`data-series` = its name), plus vertical markers. */
export function lineChart(o: {
  cls: string;
  label: string;
  lines: readonly Line[];
  xMax: number;
  yTitle: string;
  yFormat: (v: number) => string;
  markers?: readonly Marker[];
}): string {
  const yMax = Math.max(0, ...o.lines.flatMap((l) => l.points.map((p) => p[1])));
  const { svg: ys, y } = yAxis(yMax, o.yFormat, o.yTitle);
  const { svg: xs, x } = xAxis(o.xMax, 'time (s)');
  let s = open(o.cls, o.label) + ys + xs;
  for (const m of o.markers ?? []) {
    s += `<line class="marker ${m.cls}" x1="${num(x(m.x))}" x2="${num(x(m.x))}" y1="${M.top}" y2="${M.top + PH}"><title>${escapeHtml(m.title)}</title></line>`;
  }
  o.lines.forEach((l, i) => {
    const pts = l.points.map(([px, py]) => `${num(x(px))},${num(y(py))}`).join(' ');
    s += `<polyline class="series s${i}" data-series="${escapeHtml(l.name)}" points="${pts}"><title>${escapeHtml(l.label)}</title></polyline>`;
  });
  return `${s}</svg>`;
}

/** A mark at `x` (s) in lane `lane`. */
export interface Tick {
  x: number;
  lane: number;
  cls: string;
  title: string;
}

/** Horizontal lanes (one per kind of event) with one `rect.event` per tick. */
export function laneChart(o: {
  cls: string;
  label: string;
  lanes: readonly string[];
  ticks: readonly Tick[];
  xMax: number;
}) {
  const { svg: xs, x } = xAxis(o.xMax, 'time (s)');
  const lh = PH / Math.max(1, o.lanes.length);
  let s = open(o.cls, o.label) + xs;
  o.lanes.forEach((name, i) => {
    s += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${num(M.top + (i + 1) * lh)}" y2="${num(M.top + (i + 1) * lh)}"/>`;
    s += text(M.left - 6, M.top + i * lh + lh / 2 + 4, name, 'tick', 'end');
  });
  for (const t of o.ticks) {
    const h = Math.min(lh * 0.7, 18);
    const y0 = M.top + t.lane * lh + (lh - h) / 2;
    s += `<rect class="event ${t.cls}" x="${num(x(t.x) - 1.5)}" y="${num(y0)}" width="3" height="${num(h)}"><title>${escapeHtml(t.title)}</title></rect>`;
  }
  return `${s}</svg>`;
}
