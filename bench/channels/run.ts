/**
 * Throughput of persistent peer channels (src/node/channels.ts): one-way PUBLISH frames
 * with a 100-byte payload (110 bytes on the wire) from one QUIC endpoint to another on
 * loopback, in one process. Not a test; prints msgs/s, nothing is written to disk.
 *
 *   node --import tsx bench/channels/run.ts [--seconds 3] [--mode pipelined|awaited|both]
 *
 * Modes: `pipelined` sends without waiting while the peer's queue has room (`trySend`) and
 * awaits `send` only when it is full; `awaited` awaits every `send` (the naive loop).
 */
import { PeerChannels } from '../../src/node/channels.js';
import { StreamRouter } from '../../src/node/streams.js';
import { FrameType } from '../../src/protocol/index.js';
import { systemClock } from '../../src/runtime/index.js';
import { createCertificateAuthority, issueCertificate } from '../../src/security/x509.js';
import { type Connection, createQuicTransport } from '../../src/transport/index.js';
import { nowMs, sleep } from '../lib/time.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '3'));
const MODE = arg('mode', 'both');
const WARMUP_MS = 500;
const PAYLOAD = new Uint8Array(100).fill(7);
const SILENT = { debug() {}, info() {}, warn() {} };

interface Result {
  mode: string;
  msgsPerSec: number;
  mbPerSec: number;
  framesPerWrite: number;
  waits: number;
}

async function run(mode: 'pipelined' | 'awaited'): Promise<Result> {
  const ca = await createCertificateAuthority({ commonName: 'bench-ca' });
  const [serverCert, clientCert] = await Promise.all([
    issueCertificate({ commonName: 'server', uris: ['macula://bench/server'] }, ca),
    issueCertificate({ commonName: 'client', uris: ['macula://bench/client'] }, ca),
  ]);
  const transport = createQuicTransport();
  const tls = (c: typeof serverCert) => ({ cert: c.cert, key: c.key, ca: ca.cert });
  const server = await transport.createEndpoint({ host: '127.0.0.1', tls: tls(serverCert) });
  const client = await transport.createEndpoint({ host: '127.0.0.1', tls: tls(clientCert) });
  const [conn, serverConn] = await Promise.all([
    client.dial(server.address, { timeoutMs: 5_000 }),
    server.accept({ timeoutMs: 5_000 }),
  ]);
  const side = (c: Connection, peer: string) => {
    const router = new StreamRouter(systemClock, { sent: 0, received: 0 }, SILENT);
    const channels = new PeerChannels({ log: SILENT });
    channels.serveOn(router);
    router.attach(c, peer);
    return channels;
  };
  const sender = side(conn, 'b');
  const receiver = side(serverConn, 'a');
  let received = 0;
  receiver.handle(FrameType.PUBLISH, () => {
    received++;
  });

  const started = nowMs();
  const stopAt = started + WARMUP_MS + SECONDS * 1000;
  let mark = { t: 0, n: 0 };
  const warm = sleep(WARMUP_MS).then(() => {
    mark = { t: nowMs(), n: received };
  });
  let sent = 0;
  while (nowMs() < stopAt) {
    // Checking the clock every 256 messages keeps it off the hot path.
    for (let i = 0; i < 256; i++) {
      if (mode === 'awaited') await sender.send(conn, 'b', FrameType.PUBLISH, PAYLOAD);
      else if (!sender.trySend(conn, 'b', FrameType.PUBLISH, PAYLOAD))
        await sender.send(conn, 'b', FrameType.PUBLISH, PAYLOAD);
    }
    sent += 256;
  }
  await warm;
  const elapsed = (nowMs() - mark.t) / 1000;
  const n = received - mark.n;
  await Promise.all([sender.close(), receiver.close()]);
  const s = sender.stats();
  await client.close();
  await server.close();
  // Every message (plus the opening CHANNEL frame) was handed to the stream.
  if (s.framesSent !== sent + 1) throw new Error(`sent ${sent} but ${s.framesSent - 1} frames went out`);
  return {
    mode,
    msgsPerSec: n / elapsed,
    mbPerSec: (n * 110) / elapsed / 1e6,
    framesPerWrite: s.framesSent / s.batches,
    waits: s.waits,
  };
}

const modes = MODE === 'both' ? (['pipelined', 'awaited'] as const) : [MODE as 'pipelined' | 'awaited'];
console.log(
  `channels bench: ${SECONDS} s per mode (after ${WARMUP_MS} ms warm-up), 100 B payloads, QUIC loopback`,
);
for (const mode of modes) {
  const r = await run(mode);
  console.log(
    `  ${r.mode.padEnd(9)} ${Math.round(r.msgsPerSec).toLocaleString('en-US').padStart(9)} msgs/s` +
      `  ${r.mbPerSec.toFixed(1).padStart(5)} MB/s  ${r.framesPerWrite.toFixed(1)} frames/write  ${r.waits} waits`,
  );
}
