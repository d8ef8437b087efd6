/**
 * Wire-protocol bench: encode + decode of a ~100-byte PUBLISH frame on one core.
 * Merges `frames_per_s` into bench/results/protocol.json (other keys are kept).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeFrame, encodeFrame, FrameDecoder, FrameType } from '../../src/protocol/index.js';
import { repoRoot } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { median, round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { nowMs } from '../lib/time.js';

const RESULTS = `${repoRoot}bench/results/protocol.json`;
const WARMUP_MS = 500;
const RUN_MS = Number(process.env.BENCH_PROTOCOL_MS ?? 3000);
const ROUNDS = 5;

const data = new Uint8Array(46).fill(0xab); // sized so the MessagePack payload is ~100 B
const payload = (seq: number) => ({ topic: 'org.example.mesh.hello.world', data, seq });

/** Runs `step` in batches for `ms`; returns operations per second. */
function rate(ms: number, step: (i: number) => void): number {
  const batch = 1000;
  let n = 0;
  const start = nowMs();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) step(n + i);
    n += batch;
    elapsed = nowMs() - start;
  }
  return (n / elapsed) * 1000;
}

/** Median of ROUNDS runs splitting RUN_MS, after a warm-up. */
function measure(step: (i: number) => void): number {
  rate(WARMUP_MS, step);
  const runs = Array.from({ length: ROUNDS }, () => rate(RUN_MS / ROUNDS, step));
  return median(runs);
}

const sample = encodeFrame(FrameType.PUBLISH, payload(123_456));
const decoder = new FrameDecoder();
let sink = 0;

const roundTrip = measure((i) => {
  const frames = decoder.push(encodeFrame(FrameType.PUBLISH, payload(i)));
  sink += frames.length;
});
const encodeOnly = measure((i) => {
  sink += encodeFrame(FrameType.PUBLISH, payload(i)).byteLength;
});
const fixed = sample.slice();
const decodeOnly = measure(() => {
  sink += decodeFrame(fixed).type;
});
if (sink === 0) throw new Error('unreachable: keeps the loops from being optimised away');

const meta = machineInfo();
console.log(
  `\nProtocol bench — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}, load ${meta.load_average_at_start.join(' ')}`,
);
console.log(
  `PUBLISH frame: ${sample.byteLength - 8} B payload + 8 B header; ${RUN_MS} ms per metric after ${WARMUP_MS} ms warm-up\n`,
);
console.log(
  renderTable(
    ['operation (one core)', 'frames/s', 'ns/frame'],
    [
      ['encode + streaming decode', formatCell(roundTrip, 0), formatCell(1e9 / roundTrip, 0)],
      ['encodeFrame only', formatCell(encodeOnly, 0), formatCell(1e9 / encodeOnly, 0)],
      ['decodeFrame only', formatCell(decodeOnly, 0), formatCell(1e9 / decodeOnly, 0)],
    ],
  ),
);

// Merge: the handshake bench fills handshake_ms_p50 separately.
let previous: Record<string, unknown> = {};
if (existsSync(RESULTS)) {
  try {
    previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
}
const results = { handshake_ms_p50: null, ...previous, frames_per_s: round(roundTrip, 0) };
mkdirSync(`${repoRoot}bench/results`, { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwrote bench/results/protocol.json');
