/**
 * Live progress of `macula loadtest` on stderr: one bar per scenario redrawn in place on a
 * terminal (at most 10 redraws a second), plain lines otherwise (each phase change, and
 * every few seconds while load runs).
 */
import type { ProgressEvent, ScenarioName } from '../loadtest/index.js';

const BAR = 24;
const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 2000;

interface Line {
  scenario: ScenarioName;
  phase: string;
  fraction: number;
  sent: number;
  delivered: number;
  errors: number;
  formed?: number;
  /** Messages or answers received per second, from the last two updates. */
  rate?: number;
  at?: number;
}

export interface ProgressView {
  onProgress(e: ProgressEvent): void;
  /** Draws the final state (call once the run ended, even if it failed). */
  finish(): void;
}

function counters(l: Line, nodes: number): string {
  if (l.scenario === 'formation') return `${l.formed ?? 0}/${nodes} nodes see every member alive`;
  const n = (v: number) => v.toLocaleString('en-US');
  const err = l.errors ? ` · errors ${n(l.errors)}` : '';
  const rate = l.rate !== undefined && l.phase === 'running' ? ` (${n(Math.round(l.rate))}/s)` : '';
  return `sent ${n(l.sent)} · received ${n(l.delivered)}${rate}${err}`;
}

export function progressView(
  out: NodeJS.WriteStream,
  opts: { tty: boolean; scenarios: readonly ScenarioName[]; nodes: number; now?: () => number },
): ProgressView {
  const now = opts.now ?? (() => performance.now());
  const order: ScenarioName[] = ['formation', ...opts.scenarios.filter((s) => s !== 'formation')];
  const lines = new Map<ScenarioName, Line>(
    order.map((s) => [s, { scenario: s, phase: 'waiting', fraction: 0, sent: 0, delivered: 0, errors: 0 }]),
  );
  let drawn = 0;
  let lastDraw = 0;
  let lastPlain = 0;

  const render = (l: Line): string => {
    const filled = Math.round(Math.min(1, Math.max(0, l.fraction)) * BAR);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
    const pct = `${Math.round(l.fraction * 100)}%`.padStart(4);
    const text = `${l.scenario.padEnd(9)} ${bar} ${pct}  ${l.phase.padEnd(10)} ${counters(l, opts.nodes)}`;
    // A terminal that reports no width (0) gets 120 columns.
    return text.slice(0, Math.max(20, (out.columns || 120) - 1));
  };

  const draw = () => {
    lastDraw = now();
    let s = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const l of lines.values()) s += `\x1b[2K${render(l)}\n`;
    drawn = lines.size;
    out.write(s);
  };

  return {
    onProgress(e) {
      const l = lines.get(e.scenario);
      if (!l) return;
      const changed = l.phase !== e.phase;
      l.phase = e.phase;
      l.fraction = e.phase === 'done' ? 1 : e.fraction;
      if (e.sent !== undefined) l.sent = e.sent;
      if (e.delivered !== undefined) {
        const t = now();
        if (l.at !== undefined && t > l.at && e.delivered >= l.delivered) {
          l.rate = ((e.delivered - l.delivered) * 1000) / (t - l.at);
        }
        l.at = t;
        l.delivered = e.delivered;
      }
      if (e.errors !== undefined) l.errors = e.errors;
      if (e.formed !== undefined) l.formed = e.formed;
      if (opts.tty) {
        if (changed || now() - lastDraw >= REDRAW_MS) draw();
      } else if (changed || now() - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = now();
        out.write(`[loadtest] ${render(l).replace(/[█░]+\s+/, '')}\n`);
      }
    },
    finish() {
      if (opts.tty && drawn > 0) draw();
    },
  };
}
