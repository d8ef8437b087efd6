// Persistent peer channels (src/node/channels.ts) over the in-memory transport and real
// QUIC on loopback: order, payload integrity, batching, and request/reply alongside.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { ChannelResetCode } from '../../src/node/channel-types.js';
import { PeerChannels, type PeerChannelsOptions } from '../../src/node/channels.js';
import { StreamRouter } from '../../src/node/streams.js';
import { encodeFrame, FrameType } from '../../src/protocol/index.js';
import { concatBytes, systemClock } from '../../src/runtime/index.js';
import { type Connection, StreamResetError } from '../../src/transport/index.js';
import { stillPendingAfter, waitFor, within } from '../helpers/wait.js';
import { connectPair } from '../transport/compliance/context.js';
import type { TransportHarness } from '../transport/harness.js';
import { channelHarnesses, SILENT } from './fixtures/channel-harnesses.js';

const harnesses = channelHarnesses();

interface Side {
  conn: Connection;
  router: StreamRouter;
  channels: PeerChannels;
}

/** Two connected endpoints, each with a router and channels; A's peer id is 'a', B's is 'b'. */
async function pair(t: TestContext, h: TransportHarness, o: PeerChannelsOptions = {}) {
  const { clientConn, serverConn } = await connectPair(t, h);
  const side = (conn: Connection, peer: string): Side => {
    const router = new StreamRouter(systemClock, { sent: 0, received: 0 }, SILENT);
    const channels = new PeerChannels({ log: SILENT, ...o });
    channels.serveOn(router);
    router.attach(conn, peer);
    t.after(() => channels.close());
    return { conn, router, channels };
  };
  return { a: side(clientConn, 'b'), b: side(serverConn, 'a') };
}

/** Collects payloads of `type` on `s`; `done` resolves once `n` arrived. */
function collect(s: Side, type: number, n: number) {
  const got: unknown[] = [];
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  s.channels.handle(type, (p) => {
    got.push(p);
    if (got.length === n) release();
  });
  return { got, done: within(done, 20_000, `${n} messages`) };
}

/** `v` with every Uint8Array (a Buffer too) at any depth replaced by a plain Uint8Array copy. */
function plainBytes(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(plainBytes);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainBytes(x)]));
  }
  return v;
}

for (const h of harnesses) {
  describe(`peer channels over ${h.name}`, () => {
    it('keeps the order of 10,000 awaited sends, and of a burst, on one stream', async (t) => {
      const { a, b } = await pair(t, h);
      const N = 10_000;
      const { got, done } = collect(b, FrameType.PUBLISH, 2 * N);
      for (let i = 0; i < N; i++) await a.channels.send(a.conn, 'b', FrameType.PUBLISH, { i });
      const burst: Promise<void>[] = [];
      for (let i = N; i < 2 * N; i++) burst.push(a.channels.send(a.conn, 'b', FrameType.PUBLISH, { i }));
      await Promise.all(burst);
      await done;
      assert.deepEqual(
        got,
        Array.from({ length: 2 * N }, (_, i) => ({ i })),
      );
      const sa = a.channels.stats();
      const sb = b.channels.stats();
      assert.equal(sa.opened, 1, 'one stream for everything');
      assert.equal(sb.accepted, 1);
      assert.equal(sa.framesSent, 2 * N + 1, 'every message, plus the CHANNEL frame');
      assert.equal(sb.framesReceived, 2 * N);
      assert.ok(sa.batches < N + 100, `the burst is batched (${sa.batches} writes)`);
    });

    it('carries payloads intact: bytes, nested objects, large frames; unknown types and failing handlers are counted', async (t) => {
      const { a, b } = await pair(t, h);
      const big = randomBytes(300 * 1024);
      const payloads: unknown[] = [
        new Uint8Array(randomBytes(100)),
        {
          nested: { list: [1, 'two', { three: [3n, null, true] }], bin: new Uint8Array([0, 255, 7]) },
          s: 'héllo ✓',
        },
        new Uint8Array(big),
        [],
        'last',
      ];
      const { got, done } = collect(b, FrameType.PUBLISH, payloads.length);
      let thrown = 0;
      b.channels.handle(FrameType.EVENT, () => {
        thrown++;
        throw new Error('handler bug');
      });
      for (const [i, p] of payloads.entries()) {
        // An unhandled type and a throwing handler in between change nothing for the rest.
        await a.channels.send(a.conn, 'b', FrameType.RPC_CAST, { i });
        await a.channels.send(a.conn, 'b', FrameType.EVENT, { i });
        await a.channels.send(a.conn, 'b', FrameType.PUBLISH, p);
      }
      await done;
      // The codec promises a Uint8Array for `bin`, at any depth; whether it is also a Node
      // Buffer depends on the chunk it was decoded from (the transport), so only that is relaxed.
      assert.deepEqual(got.map(plainBytes), payloads);
      const s = b.channels.stats();
      assert.equal(thrown, payloads.length);
      assert.equal(s.handlerErrors, payloads.length);
      assert.equal(s.dropped.unknownType, payloads.length);
      assert.equal(s.accepted, 1, 'the channel survived');
      // (Every assert.ok has a message: without one, node:assert re-parses this file to
      // build it, which takes a minute on tsx's output.)
      assert.ok(s.bytesReceived > big.byteLength, `${s.bytesReceived} bytes received`);
    });

    it('request/reply keeps working on the same connection, during channel traffic', async (t) => {
      const { a, b } = await pair(t, h);
      b.router.handle(FrameType.FIND_NODE, (p, peer) => ({ echo: p, peer }));
      const { got, done } = collect(b, FrameType.PUBLISH, 1000);
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) sends.push(a.channels.send(a.conn, 'b', FrameType.PUBLISH, i));
      const reply = await a.router.request(a.conn, FrameType.FIND_NODE, { t: 42 }, { timeoutMs: 5_000 });
      assert.deepEqual(reply, { echo: { t: 42 }, peer: 'a' });
      await Promise.all(sends);
      await done;
      assert.deepEqual(got, [...Array(1000).keys()]);
      // And the other way round: B's channel to A is a stream of its own.
      const back = collect(a, FrameType.PUBLISH, 1);
      await b.channels.send(b.conn, 'a', FrameType.PUBLISH, 'pong');
      await back.done;
      assert.deepEqual(back.got, ['pong']);
    });

    it('trySend queues without waiting and refuses bad input', async (t) => {
      const { a, b } = await pair(t, h);
      const { got, done } = collect(b, FrameType.PUBLISH, 100);
      for (let i = 0; i < 100; i++) assert.equal(a.channels.trySend(a.conn, 'b', FrameType.PUBLISH, i), true);
      await done;
      assert.deepEqual(got, [...Array(100).keys()]);
      assert.throws(() => a.channels.trySend(a.conn, 'b', 0x99, 1), { code: 'UNKNOWN_TYPE' });
      await assert.rejects(a.channels.send(a.conn, 'b', FrameType.CHANNEL, 1), { code: 'INVALID_ARGUMENT' });
      await assert.rejects(
        a.channels.send(a.conn, 'b', FrameType.PUBLISH, () => 1),
        {
          name: 'ProtocolError',
          code: 'BAD_PAYLOAD',
        },
      );
      await assert.rejects(a.channels.send(a.conn, 'b', FrameType.PUBLISH, { s: Symbol('x') }), {
        name: 'ProtocolError',
        code: 'BAD_PAYLOAD',
      });
      assert.equal(a.channels.stats().opened, 1, 'bad input opened no other channel');
    });

    it('bounds queued bytes while the receiver is stuck: sends wait in order, trySend refuses, a waiting send can give up', async (t) => {
      const max = 64 * 1024;
      const { a, b } = await pair(t, h, { maxQueuedBytes: max });
      // 3.2 MB: more than the stream buffers and flow-control windows between the two.
      const N = 400;
      const pad = new Uint8Array(8192);
      let open!: () => void;
      const gate = new Promise<void>((r) => {
        open = r;
      });
      const got: number[] = [];
      let release!: () => void;
      const done = new Promise<void>((r) => {
        release = r;
      });
      b.channels.handle(FrameType.PUBLISH, async (p) => {
        await gate;
        got.push((p as { i: number }).i);
        if (got.length === N - 1) release();
      });
      let fullEvents = 0;
      a.channels.on('full', () => fullEvents++);
      const ac = new AbortController();
      const quitter = N - 10;
      const sends = new Map<number, Promise<void>>();
      for (let i = 0; i < N; i++) {
        const opts = i === quitter ? { signal: ac.signal } : undefined;
        sends.set(i, a.channels.send(a.conn, 'b', FrameType.PUBLISH, { i, pad }, opts));
      }
      assert.ok(a.channels.queued('b') <= max, `${a.channels.queued('b')} bytes queued`);
      assert.equal(
        a.channels.trySend(a.conn, 'b', FrameType.PUBLISH, { i: -1 }),
        false,
        'never ahead of waiting sends',
      );
      assert.ok(
        await stillPendingAfter(sends.get(N - 1)!, 300),
        'the last send waits for the stuck receiver',
      );
      assert.ok(a.channels.queued('b') <= max + pad.byteLength, `${a.channels.queued('b')} bytes queued`);
      ac.abort();
      await assert.rejects(sends.get(quitter)!, { name: 'AbortError' });
      sends.delete(quitter);
      open();
      await within(Promise.all(sends.values()), 20_000, 'waiting sends');
      await within(done, 20_000, 'delivery');
      assert.deepEqual(
        got,
        [...Array(N).keys()].filter((i) => i !== quitter),
      );
      const s = a.channels.stats();
      assert.ok(s.waits > N / 2, `${s.waits} sends waited`);
      assert.equal(s.full, 1);
      assert.equal(fullEvents, 1, 'one full event per episode');
      assert.equal(s.framesSent, N, 'every admitted message, plus the CHANNEL frame');
    });

    it('close() writes what is queued (even before the stream opened), then refuses sends', async (t) => {
      const { a, b } = await pair(t, h, { maxQueuedBytes: 1024 });
      const { got, done } = collect(b, FrameType.PUBLISH, 5);
      const ended = new Promise<unknown>((r) => b.channels.on('closed', r));
      // All in one tick: the stream is not even open when close() starts.
      for (let i = 0; i < 5; i++) await a.channels.send(a.conn, 'b', FrameType.PUBLISH, i);
      const waiting = a.channels.send(a.conn, 'b', FrameType.PUBLISH, new Uint8Array(2000));
      const closing = a.channels.close();
      await assert.rejects(waiting, { code: 'CHANNEL_CLOSED' });
      await closing;
      await done;
      assert.deepEqual(got, [0, 1, 2, 3, 4]);
      assert.deepEqual(await within(ended, 5_000, 'closed event'), {
        peerId: 'a',
        direction: 'in',
        reason: 'ended by peer',
      });
      await assert.rejects(a.channels.send(a.conn, 'b', FrameType.PUBLISH, 6), { code: 'CHANNEL_CLOSED' });
      assert.throws(() => a.channels.trySend(a.conn, 'b', FrameType.PUBLISH, 6), { code: 'CHANNEL_CLOSED' });
      const s = a.channels.stats();
      assert.equal(s.openOut, 0);
      assert.equal(s.dropped.closed, 0, 'nothing queued was lost');
      assert.equal(s.framesSent, 6);
    });

    it('peerDisconnected drops both directions; the next send opens a new channel', async (t) => {
      const { a, b } = await pair(t, h);
      const first = collect(b, FrameType.PUBLISH, 2);
      const back = collect(a, FrameType.EVENT, 1);
      await a.channels.send(a.conn, 'b', FrameType.PUBLISH, 'one');
      await b.channels.send(b.conn, 'a', FrameType.EVENT, 'back');
      await back.done;
      const gone = a.channels.stats();
      assert.equal(gone.openOut + gone.openIn, 2);
      a.channels.peerDisconnected('b');
      await waitFor(
        () => {
          const [sa, sb] = [a.channels.stats(), b.channels.stats()];
          return sa.openOut + sa.openIn + sb.openOut + sb.openIn === 0;
        },
        { timeoutMs: 5_000, what: 'every channel closed' },
      );
      await a.channels.send(a.conn, 'b', FrameType.PUBLISH, 'two');
      await first.done;
      assert.deepEqual(first.got, ['one', 'two']);
      assert.equal(a.channels.stats().opened, 2);
      assert.equal(b.channels.stats().accepted, 2);
    });

    it('a malformed frame resets that channel only, after the frames before it; a bad opening is refused', async (t) => {
      const { a, b } = await pair(t, h);
      const { got, done } = collect(b, FrameType.PUBLISH, 2);
      const badVersion = new Uint8Array([0x7f, FrameType.PUBLISH, 0, 0, 0, 0, 0, 1, 0xc0]);
      const raw = await a.conn.openStream();
      // One write: the bad frame arrives in the same chunk as the opening one.
      const parts = [
        encodeFrame(FrameType.CHANNEL, { v: 1 }),
        encodeFrame(FrameType.PUBLISH, 'before'),
        badVersion,
      ];
      await raw.write(
        concatBytes(
          parts,
          parts.reduce((n, p) => n + p.byteLength, 0),
        ),
      );
      assert.deepEqual(await within(raw.closed, 5_000, 'reset'), {
        kind: 'reset',
        code: ChannelResetCode.MALFORMED,
      });
      const refused = await a.conn.openStream();
      await refused.write(encodeFrame(FrameType.CHANNEL, { v: 2 }));
      assert.deepEqual(await within(refused.closed, 5_000, 'refusal'), {
        kind: 'reset',
        code: ChannelResetCode.REFUSED,
      });
      await a.channels.send(a.conn, 'b', FrameType.PUBLISH, 'after');
      await done;
      assert.deepEqual(got, ['before', 'after']);
      const s = b.channels.stats();
      assert.equal(s.dropped.malformed, 1);
      assert.equal(s.dropped.badOpen, 1);
      assert.equal(s.accepted, 2);
    });

    it('one incoming channel per peer: a newer one replaces the older', async (t) => {
      const { a, b } = await pair(t, h);
      const { got, done } = collect(b, FrameType.PUBLISH, 3);
      await a.channels.send(a.conn, 'b', FrameType.PUBLISH, 'first');
      const outClosed = new Promise<unknown>((r) => a.channels.on('closed', r));
      const raw = await a.conn.openStream();
      const parts = [encodeFrame(FrameType.CHANNEL, { v: 1 }), encodeFrame(FrameType.PUBLISH, 'raw')];
      await raw.write(
        concatBytes(
          parts,
          parts.reduce((n, p) => n + p.byteLength, 0),
        ),
      );
      const { cause, ...closed } = (await within(outClosed, 5_000, 'older channel closed')) as {
        cause?: unknown;
      };
      assert.deepEqual(closed, { peerId: 'b', direction: 'out', reason: 'stream closed' });
      // Why: the receiver reset the older stream when the newer one arrived.
      assert.ok(cause instanceof StreamResetError, String(cause));
      assert.equal(cause.resetCode, ChannelResetCode.CANCELLED);
      await a.channels.send(a.conn, 'b', FrameType.PUBLISH, 'again');
      assert.deepEqual(await within(raw.closed, 5_000, 'raw channel replaced'), {
        kind: 'reset',
        code: ChannelResetCode.CANCELLED,
      });
      await done;
      assert.deepEqual(got, ['first', 'raw', 'again']);
      const s = b.channels.stats();
      assert.equal(s.accepted, 3);
      assert.equal(s.openIn, 1);
    });
  });
}
