import { relative } from 'node:path';
import {
  type LoadtestInput,
  type LoadtestReport,
  parseDuration,
  resolveOptions,
  runLoadtest,
  summaryTable,
  writeReports,
} from '../loadtest/index.js';
import { progressView } from './loadtest-progress.js';

export interface LoadtestFlags {
  transport?: 'memory' | 'quic';
  scenario?: LoadtestInput['scenario'];
  nodes?: number;
  duration?: string;
  rate?: number;
  payload?: number;
  qos?: 'at-most-once' | 'at-least-once';
  concurrency?: number;
  senders?: number;
  fault?: 'kill' | 'partition' | 'loss';
  loss?: number;
  seed?: number;
  drain?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

function toInput(f: LoadtestFlags): LoadtestInput {
  // Unset flags stay unset, so the defaults of resolveOptions apply.
  return Object.fromEntries(
    Object.entries({
      transport: f.transport,
      scenario: f.scenario,
      nodes: f.nodes,
      durationMs: f.duration === undefined ? undefined : parseDuration(f.duration),
      rate: f.rate,
      payloadBytes: f.payload,
      qos: f.qos,
      concurrency: f.concurrency,
      senders: f.senders,
      fault: f.fault,
      loss: f.loss,
      seed: f.seed,
      drainMs: f.drain === undefined ? undefined : parseDuration(f.drain),
    }).filter(([, v]) => v !== undefined),
  ) as LoadtestInput;
}

/** `macula loadtest`: runs the scenarios, writes report.json and report.html, prints a summary. */
export async function loadtestCommand(flags: LoadtestFlags): Promise<void> {
  const input = toInput(flags);
  // Checked before any node starts, so a bad flag fails at once.
  const options = resolveOptions(input);
  const tty = process.stderr.isTTY === true;
  const view = flags.quiet
    ? undefined
    : progressView(process.stderr, { tty, scenarios: options.scenarios, nodes: options.nodes });
  const ctl = new AbortController();
  // First ctrl-c stops the nodes and exits; a second one exits at once.
  const onSignal = () => {
    if (ctl.signal.aborted) process.exit(130);
    ctl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: LoadtestReport;
  try {
    report = await runLoadtest(
      { ...input, seed: options.seed },
      {
        signal: ctl.signal,
        ...(view ? { onProgress: (e) => view.onProgress(e) } : {}),
      },
    );
  } finally {
    view?.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const paths = await writeReports(report, flags.out);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  // Relative to the working directory when inside it: shorter, and what the user typed.
  const show = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
  process.stdout.write(
    `${summaryTable(report)}\n\nReport: ${show(paths.html)}\n        ${show(paths.json)}\n`,
  );
}
