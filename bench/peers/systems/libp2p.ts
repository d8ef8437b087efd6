/**
 * js-libp2p: gossipsub for pub/sub and a request/response protocol for request/reply, over
 * TCP (+ noise + yamux) or over QUIC (@chainsafe/libp2p-quic, which encrypts and multiplexes
 * itself). The subscriber/responder listens on 127.0.0.1; the publisher dials it.
 *
 * Gossipsub keeps its defaults, so every message is signed (Ed25519) by the publisher and
 * verified by the subscriber (StrictSign). Request/reply opens a new stream per request with
 * `dialProtocol` — what libp2p protocols (identify, ping, kad-dht) do — with multistream-select
 * negotiated fully (libp2p's default); the request and the reply are each one write followed
 * by closing the writer's side, so no length prefix is needed.
 */
import '../../lib/promise-with-resolvers.js';
import { noise } from '@chainsafe/libp2p-noise';
import { quic } from '@chainsafe/libp2p-quic';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PeerId, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { sleep } from '../../lib/time.js';
import type { PeerAdapter, Role } from './adapter.js';

const PROTOCOL = '/bench/echo/1.0.0';
/** libp2p's per-protocol default (32 streams) would refuse 64 requests in flight. */
const STREAM_LIMIT = 256;

export type Libp2pTransport = 'tcp' | 'quic';

async function readAll(stream: Stream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk.subarray());
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export async function createLibp2pAdapter(
  role: Role,
  transport: Libp2pTransport,
  target?: string,
): Promise<PeerAdapter> {
  const listen =
    role === 'sub' ? [transport === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : '/ip4/127.0.0.1/udp/0/quic-v1'] : [];
  const node = await createLibp2p({
    addresses: { listen },
    ...(transport === 'tcp'
      ? { transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }
      : { transports: [quic()] }),
    services: { identify: identify(), pubsub: gossipsub() },
  });
  const pubsub = node.services.pubsub;
  let remote: PeerId | undefined;
  if (role === 'pub') {
    if (!target) throw new Error('libp2p publisher: no subscriber address');
    remote = (await node.dial(multiaddr(target))).remotePeer;
  }
  /** Gossipsub's publish() never waits: the flood waits on its outbound stream instead. */
  const outbound = (): Stream | undefined =>
    node
      .getConnections(remote)
      .flatMap((c) => c.streams)
      .find((s) => s.direction === 'outbound' && (s.protocol ?? '').startsWith('/meshsub/'));
  const stack = transport === 'tcp' ? 'TCP + noise + yamux' : '@chainsafe/libp2p-quic';
  return {
    address: node.getMultiaddrs()[0]?.toString() ?? '',
    description: `libp2p over ${stack}; gossipsub with its defaults (StrictSign); request/reply: a stream per request via dialProtocol, ${STREAM_LIMIT} streams per protocol (default 32)`,
    async subscribe(topic, onMessage) {
      pubsub.addEventListener('message', (evt) => {
        if (evt.detail.topic === topic) onMessage(evt.detail.data);
      });
      pubsub.subscribe(topic);
    },
    async waitForSubscribers(topic, count, timeoutMs) {
      const until = Date.now() + timeoutMs;
      // Seeing the subscription is not enough: publish() silently skips a peer until our outbound stream to it is open.
      while (pubsub.getSubscribers(topic).length < count || outbound() === undefined) {
        if (Date.now() > until)
          throw new Error(`gossipsub: ${count} subscriber(s) not seen within ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    publish: (topic, data) => pubsub.publish(topic, data),
    async backpressure() {
      const s = outbound();
      if (s?.writableNeedsDrain) await s.onDrain();
      // Let the event loop run (socket I/O, incoming control messages) between batches.
      else await new Promise((resolve) => setImmediate(resolve));
    },
    async serve(_name, handler) {
      await node.handle(
        PROTOCOL,
        async (stream) => {
          try {
            stream.send(handler(await readAll(stream)));
            await stream.close();
          } catch (e) {
            stream.abort(e instanceof Error ? e : new Error(String(e)));
          }
        },
        { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT },
      );
    },
    async request(_name, data) {
      if (!remote) throw new Error('libp2p: request() needs the publisher role');
      const stream = await node.dialProtocol(remote, PROTOCOL, { maxOutboundStreams: STREAM_LIMIT });
      stream.send(data);
      const reply = readAll(stream);
      await stream.close();
      return reply;
    },
    async close() {
      await node.stop();
    },
  };
}
