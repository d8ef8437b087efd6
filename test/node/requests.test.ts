// Request/reply on the peer channels (src/node/requests.ts) over the in-memory transport
// and real QUIC: answers, remote failures, deadlines both ways, cancellation, the per-peer
// serving bound, and no stream per request.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { MaculaError } from '../../src/core/index.js';
import { PeerChannels, type PeerChannelsOptions } from '../../src/node/channels.js';
import { CLOSE } from '../../src/node/index.js';
import { ChannelRequests, type RequestFailedError } from '../../src/node/requests.js';
import { StreamRouter } from '../../src/node/streams.js';
import { FrameType } from '../../src/protocol/index.js';
import { systemClock } from '../../src/runtime/index.js';
import { type Connection, ConnectionClosedError } from '../../src/transport/index.js';
import { connectPair } from '../transport/compliance/context.js';
import type { TransportHarness } from '../transport/harness.js';
import { channelHarnesses, SILENT } from './fixtures/channel-harnesses.js';

const harnesses = channelHarnesses();

interface Side {
  conn: Connection;
  router: StreamRouter;
  channels: PeerChannels;
  requests: ChannelRequests;
  /** Streams this side opened. */
  opened: () => number;
}

interface SideOptions {
  channels?: PeerChannelsOptions;
  timeoutMs?: number;
  maxPerPeer?: number;
}

/** Two connected endpoints with routers, channels and request lanes; A's peer is 'b', B's is 'a'. */
async function pair(t: TestContext, h: TransportHarness, ob: SideOptions = {}, oa: SideOptions = {}) {
  const { clientConn, serverConn } = await connectPair(t, h);
  const side = (conn: Connection, peer: string, o: SideOptions): Side => {
    let opened = 0;
    const open = conn.openStream.bind(conn);
    conn.openStream = (opts) => {
      opened++;
      return open(opts);
    };
    const router = new StreamRouter(systemClock, { sent: 0, received: 0 }, SILENT);
    const channels = new PeerChannels({ log: SILENT, ...o.channels });
    channels.serveOn(router);
    const requests = new ChannelRequests(channels, {
      clock: systemClock,
      connection: (id) => (id === peer ? conn : undefined),
      handlerOf: (type) => router.handlerOf(type),
      timeoutMs: o.timeoutMs ?? 10_000,
      ...(o.maxPerPeer ? { maxPerPeer: o.maxPerPeer } : {}),
    });
    router.useLane(requests);
    router.attach(conn, peer);
    t.after(() => {
      requests.close();
      return channels.close();
    });
    return { conn, router, channels, requests, opened: () => opened };
  };
  return { a: side(clientConn, 'b', oa), b: side(serverConn, 'a', ob) };
}

async function rejectsWith(p: Promise<unknown>, code: string, remoteCode?: string): Promise<MaculaError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MaculaError, String(err));
  assert.equal(err.code, code, err.message);
  if (remoteCode) assert.equal((err as RequestFailedError).remoteCode, remoteCode);
  return err;
}

for (const h of harnesses) {
  describe(`requests on peer channels over ${h.name}`, () => {
    it('answers 1,000 requests (500 at once) on the two channels, with no stream per request', async (t) => {
      const { a, b } = await pair(t, h);
      b.router.handle(FrameType.FIND_NODE, (p, peer) => ({ echo: p, peer }));
      b.router.handle(FrameType.DHT_FIND_VALUE, async (p) => ({ later: p }));
      for (let i = 0; i < 500; i++) {
        const r = await a.router.request(a.conn, FrameType.FIND_NODE, { i });
        assert.deepEqual(r, { echo: { i }, peer: 'a' });
      }
      const burst = Array.from({ length: 500 }, (_, i) =>
        a.router.request(a.conn, FrameType.DHT_FIND_VALUE, i),
      );
      assert.deepEqual(
        await Promise.all(burst),
        Array.from({ length: 500 }, (_, i) => ({ later: i })),
      );
      // One channel each way: A's carries the requests, B's the answers.
      assert.equal(a.opened(), 1);
      assert.equal(b.opened(), 1);
      assert.equal(a.requests.waiting, 0);
    });

    it('a bulk request asked with ownStream still gets a stream of its own', async (t) => {
      const { a, b } = await pair(t, h);
      b.router.handle(FrameType.MEMBERSHIP_SYNC, (p) => p);
      assert.equal(
        await a.router.request(a.conn, FrameType.MEMBERSHIP_SYNC, 'all', { ownStream: true }),
        'all',
      );
      assert.equal(a.opened(), 1);
      assert.equal(b.opened(), 0);
    });

    it('reports what the peer could not answer as REQUEST_FAILED with its reason', async (t) => {
      const { a, b } = await pair(t, h, { channels: { maxFrameSize: 1024 } });
      b.router.handle(FrameType.FIND_NODE, () => {
        throw new MaculaError('INVALID_ID', 'FIND_NODE needs a 64-hex target');
      });
      b.router.handle(FrameType.DHT_STORE, () => Promise.reject(new Error('disk on fire')));
      b.router.handle(FrameType.DHT_FIND_VALUE, () => 'x'.repeat(4096));
      const bad = await rejectsWith(
        a.router.request(a.conn, FrameType.FIND_NODE, {}),
        'REQUEST_FAILED',
        'INVALID_ID',
      );
      assert.match(bad.message, /64-hex target/);
      await rejectsWith(a.router.request(a.conn, FrameType.DHT_STORE, {}), 'REQUEST_FAILED', 'ERROR');
      await rejectsWith(a.router.request(a.conn, FrameType.ROUTE, {}), 'REQUEST_FAILED', 'NO_HANDLER');
      // An answer too large for the channel is refused there, and said so.
      await rejectsWith(
        a.router.request(a.conn, FrameType.DHT_FIND_VALUE, {}),
        'REQUEST_FAILED',
        'BAD_REPLY',
      );
      // A request too large to send fails at once, before anything is queued.
      await assert.rejects(
        a.router.request(a.conn, FrameType.DHT_STORE, new Uint8Array(17 * 1024 * 1024)),
        (e: MaculaError) => e.code === 'FRAME_TOO_LARGE',
      );
      assert.equal(a.requests.waiting, 0);
    });

    it('times out on both sides: the asker at its deadline, the answerer at its own', async (t) => {
      const { a, b } = await pair(t, h, { timeoutMs: 150 });
      let release!: (v: unknown) => void;
      b.router.handle(FrameType.FIND_NODE, () => new Promise((r) => (release = r)));
      await rejectsWith(a.router.request(a.conn, FrameType.FIND_NODE, {}, { timeoutMs: 50 }), 'TIMEOUT');
      // B gives up after its 150 ms and says so; the handler's late answer goes nowhere.
      await rejectsWith(a.router.request(a.conn, FrameType.FIND_NODE, {}), 'REQUEST_FAILED', 'TIMEOUT');
      release('late');
      b.router.handle(FrameType.DHT_STORE, () => 'ok');
      assert.equal(await a.router.request(a.conn, FrameType.DHT_STORE, {}), 'ok');
      assert.equal(a.requests.waiting, 0);
    });

    it('keeps at most maxPerPeer requests out to a peer: the others wait their turn, within their deadline', async (t) => {
      const { a, b } = await pair(t, h, {}, { maxPerPeer: 2 });
      let serving = 0;
      let most = 0;
      const releases: (() => void)[] = [];
      let started: (() => void) | undefined;
      b.router.handle(FrameType.FIND_NODE, (p) => {
        most = Math.max(most, ++serving);
        started?.();
        return new Promise((r) =>
          releases.push(() => {
            serving--;
            r(p);
          }),
        );
      });
      const twoServed = () =>
        new Promise<void>((r) => {
          started = () => serving === 2 && r();
          started();
        });
      const asks = [1, 2, 3, 4, 5].map((i) => a.router.request(a.conn, FrameType.FIND_NODE, i));
      // A sixth gives up while it waits: it never reaches B.
      const late = a.router.request(a.conn, FrameType.FIND_NODE, 6, { timeoutMs: 30 });
      await rejectsWith(late, 'TIMEOUT');
      // Each answer lets the next one out: B always has two, never more.
      for (let i = 0; i < 3; i++) {
        await twoServed();
        releases.shift()!();
      }
      await twoServed();
      releases.shift()!();
      releases.shift()!();
      assert.deepEqual(await Promise.all(asks), [1, 2, 3, 4, 5]);
      assert.equal(most, 2);
      assert.equal(a.requests.waiting, 0);
    });

    it('cancels through the signal and refuses a peer past its serving bound with BUSY', async (t) => {
      const { a, b } = await pair(t, h, { maxPerPeer: 2 });
      const releases: ((v: unknown) => void)[] = [];
      let served: (() => void) | undefined;
      /** Resolves once B has started serving `n` requests. */
      const serving = (n: number) =>
        new Promise<void>((r) => {
          served = () => releases.length >= n && r();
          served();
        });
      b.router.handle(
        FrameType.FIND_NODE,
        () =>
          new Promise((r) => {
            releases.push(r);
            served?.();
          }),
      );
      const ctl = new AbortController();
      const first = a.router.request(a.conn, FrameType.FIND_NODE, 1, { signal: ctl.signal });
      const second = a.router.request(a.conn, FrameType.FIND_NODE, 2);
      await serving(2);
      await rejectsWith(a.router.request(a.conn, FrameType.FIND_NODE, 3), 'REQUEST_FAILED', 'BUSY');
      ctl.abort();
      await rejectsWith(first, 'ABORTED');
      releases[0]!('one');
      releases[1]!('two');
      assert.equal(await second, 'two');
      // The slots are free again.
      const third = a.router.request(a.conn, FrameType.FIND_NODE, 4);
      await serving(3);
      releases[2]!('three');
      assert.equal(await third, 'three');
    });

    it('fails a request whose connection closes with that ConnectionClosedError and its code', async (t) => {
      const { a, b } = await pair(t, h);
      b.router.handle(FrameType.ROUTE, () => new Promise(() => {}));
      const waiting = a.router.request(a.conn, FrameType.ROUTE, {});
      // The code a node closes the loser of a simultaneous dial with: the router retries on it.
      await b.conn.close({ code: CLOSE.duplicate, reason: 'duplicate' });
      const err = await waiting.then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectionClosedError, String(err));
      assert.equal(err.closeCode, CLOSE.duplicate);
    });

    it('fails waiting requests at once when the channel to the peer goes, and after close()', async (t) => {
      const { a, b } = await pair(t, h);
      b.router.handle(FrameType.FIND_NODE, () => new Promise(() => {}));
      const waiting = a.router.request(a.conn, FrameType.FIND_NODE, {});
      assert.equal(a.requests.waiting, 1);
      a.channels.peerDisconnected('b');
      await rejectsWith(waiting, 'NOT_CONNECTED');
      const late = a.router.request(a.conn, FrameType.FIND_NODE, {});
      assert.equal(a.requests.waiting, 1); // on a new channel
      a.requests.close();
      await rejectsWith(late, 'NOT_RUNNING');
      // An answer ready after the answerer's channels closed (node stop) goes nowhere, quietly.
      let answer!: (v: unknown) => void;
      const asked = new Promise<void>((r) => {
        b.router.handle(FrameType.DHT_STORE, () => {
          r();
          return new Promise((res) => (answer = res));
        });
      });
      const c = await pair(t, h);
      c.b.router.handle(FrameType.DHT_STORE, () => b.router.handlerOf(FrameType.DHT_STORE)!({}, 'a'));
      const unanswered = c.a.router.request(c.a.conn, FrameType.DHT_STORE, {});
      await asked;
      await c.b.channels.close();
      answer('too late');
      await rejectsWith(unanswered, 'NOT_CONNECTED');
      await rejectsWith(a.router.request(a.conn, FrameType.FIND_NODE, {}), 'NOT_RUNNING');
    });
  });
}
