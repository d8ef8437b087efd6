/**
 * libp2p_quic: a js-libp2p node with only @chainsafe/libp2p-quic (QUIC gives encryption and
 * multiplexing, so no noise/yamux). Protocols '/bench/echo/1.0.0' and '/bench/sink/1.0.0'.
 * Identity is libp2p's own (an Ed25519 peer id in a self-signed libp2p TLS certificate): our
 * CA is not used. Connection-manager limits are raised so the per-host inbound rate limit and
 * the per-protocol stream limit (default 32) do not refuse the bench's connections and
 * streams; the QUIC stream limit is 1024 like macula's default (libp2p-quic: 256). Every new stream runs multistream-select (one extra round trip) as libp2p does.
 * Node 20 needs a Promise.withResolvers polyfill (libp2p declares Node >= 22).
 */
import '../../lib/promise-with-resolvers.js';
import { quic } from '@chainsafe/libp2p-quic';
import type { Connection, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { BenchClient, BenchStream, StreamKind, TransportAdapter } from '../adapter.js';

const PROTOCOL: Record<StreamKind, string> = { echo: '/bench/echo/1.0.0', sink: '/bench/sink/1.0.0' };
const STREAM_LIMIT = 1024;

const connectionManager = {
  maxConnections: 10_000,
  inboundConnectionThreshold: 10_000,
  maxIncomingPendingConnections: 10_000,
  maxParallelDials: 100,
};

function wrapStream(s: Stream): BenchStream {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: unknown;
  let waiter: (() => void) | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  s.addEventListener('message', (evt) => {
    queue.push(evt.data.subarray());
    wake();
  });
  s.addEventListener('end', () => {
    ended = true;
    wake();
  });
  s.addEventListener('close', (evt) => {
    ended = true;
    if (evt.error) failure ??= evt.error;
    wake();
  });
  return {
    async write(data) {
      if (!s.send(data)) await s.onDrain();
    },
    async read() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) return next;
        if (failure !== undefined) throw failure;
        if (ended) return null;
        await new Promise<void>((resolve) => {
          waiter = resolve;
        });
      }
    },
    end: () => s.close(),
    abort: () => s.abort(new Error('aborted')),
  };
}

async function newNode(listen: string[]): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen },
    transports: [quic({ maxConcurrentStreamLimit: STREAM_LIMIT })],
    connectionManager,
  });
}

export const libp2pQuic: TransportAdapter = {
  name: 'libp2p_quic',
  description:
    'libp2p 3.3.11 + @chainsafe/libp2p-quic 2.1.1 (QUIC only, maxConcurrentStreamLimit 1024 (default 256), other transport options default); libp2p peer-id TLS, not our CA; connection-manager limits raised; 1024 streams per protocol; Promise.withResolvers polyfill on Node 20',

  async startServer(_tls, handler) {
    const node = await newNode(['/ip4/127.0.0.1/udp/0/quic-v1']);
    for (const kind of ['echo', 'sink'] as const) {
      await node.handle(PROTOCOL[kind], (stream) => handler(kind, wrapStream(stream)), {
        maxInboundStreams: STREAM_LIMIT,
        maxOutboundStreams: STREAM_LIMIT,
      });
    }
    const addr = node.getMultiaddrs()[0];
    if (!addr) throw new Error('libp2p node has no listen address');
    return {
      target: addr.toString(),
      close: async () => {
        await node.stop();
      },
    };
  },

  async createClient(): Promise<BenchClient> {
    const node = await newNode([]);
    return {
      async connect(target) {
        const conn: Connection = await node.dial(multiaddr(target), { force: true });
        return {
          openStream: async (kind) =>
            wrapStream(await conn.newStream(PROTOCOL[kind], { maxOutboundStreams: STREAM_LIMIT })),
          close: () => conn.close(),
        };
      },
      close: async () => {
        await node.stop();
      },
    };
  },
};
