/**
 * `npm run bench:protocol`: encode + decode of a ~100-byte PUBLISH frame on one core, then
 * the QUIC connect + Macula handshake on loopback (handshake.ts, server in a child process).
 * Merges `frames_per_s`, `handshake_ms_p50` and `handshake_ms_p90` into
 * bench/results/protocol.json (other keys are kept) and writes protocol.meta.json.
 *
 * Env: BENCH_PROTOCOL_MS (frame time per metric, default 3000), BENCH_PROTOCOL_HANDSHAKES
 * (measured handshakes, default 50).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeFrame, encodeFrame, FrameDecoder, FrameType } from '../../src/protocol/index.js';
import { repoRoot } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { metaRecord, writeResultFile } from '../lib/report.js';
import { median, round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { errorMessage, nowMs, withTimeout } from '../lib/time.js';
import { type HandshakeResult, measureHandshake } from './handshake.js';

const RESULTS_DIR = `${repoRoot}bench/results`;
const RESULTS = `${RESULTS_DIR}/protocol.json`;
const HANDSHAKES = Number(process.env.BENCH_PROTOCOL_HANDSHAKES ?? 50);
const HANDSHAKE_WARMUP = 5;
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

const meta = machineInfo();
const startedAt = nowMs();
console.log(`macula protocol bench (load average ${meta.load_average_at_start.join(' ')})`);

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

let hs: HandshakeResult | undefined;
let handshakeError: string | undefined;
try {
  hs = await withTimeout(measureHandshake(HANDSHAKES, HANDSHAKE_WARMUP), 120_000, 'handshake bench');
} catch (e) {
  handshakeError = errorMessage(e);
  console.error(`handshake bench FAILED: ${handshakeError}`);
}

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
console.log(
  `\nQUIC connect + Macula handshake, loopback, server in a child process; fresh client node per run (full TLS handshake); ${HANDSHAKES} runs after ${HANDSHAKE_WARMUP} warm-up\n`,
);
console.log(
  renderTable(
    ['handshake', 'ms'],
    [
      ['p50', formatCell(hs?.p50, 2)],
      ['p90', formatCell(hs?.p90, 2)],
      ['min / max', hs ? `${formatCell(hs.min, 2)} / ${formatCell(hs.max, 2)}` : 'n/a'],
      ['first (cold) connect', formatCell(hs?.coldMs, 2)],
    ],
  ),
);

// Merge: keys written by other runs or benches are kept.
let previous: Record<string, unknown> = {};
if (existsSync(RESULTS)) {
  try {
    previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
}
const results = {
  ...previous,
  frames_per_s: round(roundTrip, 0),
  handshake_ms_p50: hs ? round(hs.p50, 3) : null,
  handshake_ms_p90: hs ? round(hs.p90, 3) : null,
};
const metaOut = metaRecord(meta, startedAt, 'npm run bench:protocol', {
  frames: {
    payload_bytes: sample.byteLength - 8,
    ms_per_metric: RUN_MS,
    warmup_ms: WARMUP_MS,
    encode_decode_per_s: round(roundTrip, 0),
    encode_only_per_s: round(encodeOnly, 0),
    decode_only_per_s: round(decodeOnly, 0),
  },
  handshake: hs
    ? {
        runs: hs.runs,
        warmup: hs.warmup,
        cold_ms: round(hs.coldMs, 3),
        p50_ms: round(hs.p50, 3),
        p90_ms: round(hs.p90, 3),
        min_ms: round(hs.min, 3),
        max_ms: round(hs.max, 3),
        samples_ms: hs.samples.map((v) => round(v, 3)),
      }
    : null,
  errors: handshakeError ? { handshake: handshakeError } : {},
});
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
writeResultFile('protocol.meta.json', metaOut);
console.log(`\nwrote bench/results/protocol.json and protocol.meta.json (${metaOut.duration_s} s)`);
process.exit(handshakeError ? 1 : 0);
