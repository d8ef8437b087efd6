import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { describe, it, type TestContext } from 'node:test';
import type { Connection, EndpointStats } from '../../src/transport/index.js';
import { buildQuicheConfig, resolveOptions } from '../../src/transport/quic/config.js';
import { createQuicTransport, QuicEndpoint } from '../../src/transport/quic/index.js';
import { quiche } from '../../src/transport/quic/native.js';
import { echo, readAll } from '../helpers/bytes.js';
import { waitFor } from '../helpers/wait.js';
import { certFixtures, tls } from './harness.js';

const HOST = '127.0.0.1';
/** The server's handshake timeout (dialTimeoutMs) : half-open state must be gone after it. */
const HANDSHAKE_TIMEOUT_MS = 1_500;

interface Setup {
  server: QuicEndpoint;
  conn: Connection;
  attacker: Socket;
}

/** A server with one legit echoing connection, and a UDP socket to attack it from (one address/port). */
async function setup(t: TestContext): Promise<Setup> {
  const f = await certFixtures();
  const transport = createQuicTransport();
  const server = await QuicEndpoint.bind({
    host: HOST,
    tls: tls(f.server, f.ca),
    dialTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  });
  t.after(() => server.close(), { timeout: 5_000 });
  const client = await transport.createEndpoint({ host: HOST, tls: tls(f.client, f.ca) });
  t.after(() => client.close(), { timeout: 5_000 });
  server.onConnection((c) => c.onStream((s) => void echo(s).catch(() => s.reset(1))));
  const conn = await client.dial(server.address, { timeoutMs: 5_000 });
  const attacker = createSocket('udp4');
  attacker.on('message', () => {}); // a handshaking server answers; nobody listens
  await new Promise<void>((resolve) => attacker.bind(0, HOST, () => resolve()));
  t.after(() => new Promise<void>((r) => attacker.close(() => r())));
  await assertEchoes(conn);
  return { server, conn, attacker };
}

async function assertEchoes(conn: Connection): Promise<void> {
  const s = await conn.openStream();
  const payload = randomBytes(2_000);
  await s.end(payload);
  assert.deepEqual(await readAll(s), payload, 'the legit connection no longer echoes');
}

/**
 * Sends packets in small batches, waiting for the server to have received each batch
 * (its packet counter), so the kernel never drops any and the counters can be exact.
 */
async function blast(a: Setup, packets: Iterable<Uint8Array>): Promise<number> {
  const base = a.server.stats().packetsReceived;
  const port = a.server.address.port;
  let sent = 0;
  const caughtUp = () =>
    waitFor(() => a.server.stats().packetsReceived - base >= sent, {
      timeoutMs: 5_000,
      what: 'server received the batch',
    });
  for (const p of packets) {
    a.attacker.send(p, port, HOST);
    if (++sent % 64 === 0) await caughtUp();
  }
  await caughtUp();
  return sent;
}

function* times<T>(n: number, make: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield make(i);
}

type Dropped = EndpointStats['dropped'];
function delta(before: Dropped, after: Dropped): Dropped {
  return {
    malformed: after.malformed - before.malformed,
    unknownConnection: after.unknownConnection - before.unknownConnection,
    rateLimited: after.rateLimited - before.rateLimited,
    overCapacity: after.overCapacity - before.overCapacity,
  };
}

/** After any attack: still alive, still echoing, no state left behind for the garbage. */
async function assertUnharmed(a: Setup): Promise<void> {
  await assertEchoes(a.conn);
  assert.equal(a.server.connections().length, 1, 'only the legit connection is live');
  await waitFor(() => a.server.handshakesInProgress === 0, {
    timeoutMs: HANDSHAKE_TIMEOUT_MS + 2_000,
    what: 'half-open handshakes cleaned up',
  });
}

describe('QUIC endpoint under bad input', () => {
  it('survives 10,000 random datagrams of 1-1500 bytes', { timeout: 60_000 }, async (t) => {
    const a = await setup(t);
    let raw = 0;
    let shortTiny = 0;
    let shortUnknown = 0;
    const packets = times(10_000, () => {
      const p = randomBytes(randomInt(1, 1501));
      const first = p[0]!;
      if ((first & 0x40) === 0)
        raw++; // fixed bit clear: not QUIC, and no onRaw handler
      else if ((first & 0x80) === 0) p.length < 21 ? shortTiny++ : shortUnknown++;
      return p;
    });
    const before = a.server.stats().dropped;
    t.diagnostic(`sent ${await blast(a, packets)}`);
    const d = delta(before, a.server.stats().dropped);
    t.diagnostic(`dropped: ${JSON.stringify(d)}; raw ${raw}, short ${shortTiny}+${shortUnknown}`);
    assert.ok(d.malformed >= raw + shortTiny, `malformed ${d.malformed} < ${raw + shortTiny}`);
    assert.ok(
      d.unknownConnection >= shortUnknown,
      `unknownConnection ${d.unknownConnection} < ${shortUnknown}`,
    );
    await assertUnharmed(a);
  });

  it('counts truncated long-header packets as malformed', { timeout: 30_000 }, async (t) => {
    const a = await setup(t);
    // c0 | version 1 | dcid len 20 | dcid ... cut before the DCID ends.
    const full = Buffer.concat([
      Buffer.from([0xc0, 0, 0, 0, 1, 20]),
      randomBytes(20),
      Buffer.from([20]),
      randomBytes(20),
    ]);
    const before = a.server.stats().dropped;
    const n = await blast(
      a,
      times(2_000, (i) => full.subarray(0, 1 + (i % 25))),
    );
    const d = delta(before, a.server.stats().dropped);
    assert.equal(d.malformed, n);
    // Cut after the header (Initials shorter than 1200 bytes are not worth state either).
    const before2 = a.server.stats().dropped;
    const m = await blast(
      a,
      times(500, (i) => Buffer.concat([full, randomBytes(i)])),
    );
    assert.equal(delta(before2, a.server.stats().dropped).malformed, m);
    await assertUnharmed(a);
  });

  it('counts short-header packets for unknown connection ids', { timeout: 30_000 }, async (t) => {
    const a = await setup(t);
    const before = a.server.stats().dropped;
    const n = await blast(
      a,
      times(2_000, () =>
        Buffer.concat([
          Buffer.from([0x40 | randomInt(0, 0x40)]),
          randomBytes(20),
          randomBytes(randomInt(1, 1200)),
        ]),
      ),
    );
    assert.equal(delta(before, a.server.stats().dropped).unknownConnection, n);
    await assertUnharmed(a);
  });

  it('rate-limits a flood of forged Initials from one address', { timeout: 60_000 }, async (t) => {
    const a = await setup(t);
    const initial = () => {
      const head = Buffer.concat([
        Buffer.from([0xc3, 0, 0, 0, 1, 8]),
        randomBytes(8),
        Buffer.from([8]),
        randomBytes(8),
      ]);
      // token length 0, then a 2-byte varint length covering the rest, then junk "ciphertext".
      const rest = 1200 - head.length - 3;
      return Buffer.concat([head, Buffer.from([0x00, 0x40 | (rest >> 8), rest & 0xff]), randomBytes(rest)]);
    };
    const before = a.server.stats().dropped;
    const start = performance.now();
    const n = await blast(a, times(5_000, initial));
    const secs = (performance.now() - start) / 1000;
    const d = delta(before, a.server.stats().dropped);
    t.diagnostic(`${n} forged Initials in ${secs.toFixed(2)} s: ${JSON.stringify(d)}`);
    assert.equal(
      d.malformed + d.rateLimited + d.overCapacity,
      n,
      'every forged Initial is dropped and counted',
    );
    assert.ok(d.rateLimited > 0, 'one address flooding must hit the rate limit');
    assert.ok(d.malformed <= 100 + 50 * (secs + 1), `${d.malformed} forged Initials got past the rate limit`);
    await assertUnharmed(a);
  });

  it('bounds and then cleans up half-open handshakes from real client Initials', {
    timeout: 60_000,
  }, async (t) => {
    const a = await setup(t);
    const f = await certFixtures();
    const opts = { host: HOST, tls: tls(f.client, f.ca) };
    const config = buildQuicheConfig(opts, resolveOptions(opts));
    const local = { host: HOST, port: a.attacker.address().port };
    const buf = Buffer.alloc(quiche.MAX_DATAGRAM_SIZE);
    const initial = () => {
      const qc = quiche.Connection.connect(null, randomBytes(20), local, a.server.address, config);
      const r = qc.send(buf);
      assert.ok(r, 'quiche produced no Initial');
      return Buffer.from(buf.subarray(0, r[0]));
    };
    const before = a.server.stats().dropped;
    const start = performance.now();
    const n = await blast(a, times(400, initial));
    const secs = (performance.now() - start) / 1000;
    const d = delta(before, a.server.stats().dropped);
    const halfOpen = a.server.handshakesInProgress;
    t.diagnostic(
      `${n} real Initials in ${secs.toFixed(2)} s: half-open ${halfOpen}, dropped ${JSON.stringify(d)}`,
    );
    assert.ok(halfOpen > 0, 'real Initials should start handshakes');
    assert.ok(halfOpen <= 100 + 50 * (secs + 1), `${halfOpen} half-open handshakes from one address`);
    assert.ok(d.rateLimited > 0, 'the rest is rate-limited');
    assert.equal(a.server.connections().length, 1, 'half-open handshakes are not live connections');
    await assertUnharmed(a); // waits for the handshake timeout to clear them
  });
});
